import { describe, expect, it } from "vitest";
import { syntheticScan } from "./scan.js";
import { startSink } from "./sink.js";

describe("startSink", () => {
  it("answers scripted responses in order, then the fallback, and records requests", async () => {
    const sink = await startSink();
    try {
      sink.respond({ status: 500 }, { status: 429, headers: { "retry-after": "3" } });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(sink.url, { method: "POST", body: JSON.stringify({ i }) });
        statuses.push(res.status);
        await res.text();
      }
      expect(statuses).toEqual([500, 429, 200]);
      expect(sink.requests.map((r) => r.json)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
      expect(sink.requests[0]!.path).toBe(`/hook/${sink.secret}`);
    } finally {
      await sink.close();
    }
  });
});

describe("syntheticScan", () => {
  it("gives distinct alerts of every severity", () => {
    const scan = syntheticScan(40);
    expect(scan.alerts).toHaveLength(40);
    expect(new Set(scan.alerts.map((a) => a.severity))).toEqual(new Set(["critical", "high", "medium", "low"]));
  });
});
