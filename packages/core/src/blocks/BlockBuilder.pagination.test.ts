import { describe, expect, it } from "vitest";
import { type Alert, type ScanContext } from "../model.js";
import { BlockBuilder } from "./BlockBuilder.js";
import { blockText, messageText, SLACK_LIMITS } from "./types.js";

const SCAN: ScanContext = {
  repo: "acme/web",
  branch: "main",
  reportUrl: "https://socket.dev/dashboard/org/acme/sbom/b",
};

/** n alerts (one per package) whose entries all render to the same length (~480 characters). */
function sameSize(n: number): Alert[] {
  return Array.from({ length: n }, (_, i) => {
    const name = `pkg-${String(i).padStart(5, "0")}`;
    return {
      id: `npm/${name}@1.0.0#envVars`,
      ecosystem: "npm",
      name,
      version: "1.0.0",
      type: "envVars",
      severity: "low",
      action: "warn",
      title: "Environment variable access",
      description: "x".repeat(280),
      url: `https://socket.dev/npm/package/${name}/overview/1.0.0`,
      purl: `pkg:npm/${name}@1.0.0`,
      introducedBy: [{ source: "direct", manifest: "package.json" }],
      manifests: ["package.json"],
      origin: "new",
    };
  });
}

describe("pagination is tight (bench figure 2)", () => {
  const builder = new BlockBuilder();
  // An entry is one section (block 3 after header, scan context, divider); the page ends with one
  // context line of its type keys (all entries here have the same one).
  const one = builder.build(sameSize(1), SCAN).messages[0]!.payload.blocks;
  const len = blockText(one[3]!);
  const types = blockText(one[4]!);
  // What fits next to the header (150 reserved), the scan context and the type line when nothing
  // is left over, in characters and in blocks (one per entry, four per page).
  const context = one[1]!;
  const room =
    SLACK_LIMITS.maxMessageChars -
    SLACK_LIMITS.maxHeaderChars -
    ("text" in context ? context.text.text.length : 0) -
    types;
  const perPage = Math.min(Math.floor(room / len), SLACK_LIMITS.maxBlocks - 4);

  it("when every alert fits, pages are filled to the limit: no room is kept for a summary that is not sent", () => {
    expect(one.map((b) => b.type)).toEqual(["header", "section", "divider", "section", "context"]);
    const input = sameSize(perPage * 3);
    const r = builder.build(input, SCAN, { maxMessages: 10 });
    expect(r.omitted).toBe(0);
    expect(r.messages.map((m) => m.alerts.length)).toEqual([perPage, perPage, perPage]);
    for (const m of r.messages) expect(messageText(m.payload.blocks)).toBeLessThanOrEqual(SLACK_LIMITS.maxMessageChars);
  });

  it("when alerts are left over, the last page makes room for the summary and stays within the limits", () => {
    const input = sameSize(perPage * 3);
    const r = builder.build(input, SCAN, { maxMessages: 2 });
    expect(r.messages).toHaveLength(2);
    expect(r.shown + r.omitted).toBe(input.length);
    expect(r.messages[0]!.alerts).toHaveLength(perPage);
    const last = r.messages[1]!;
    expect(last.alerts.length).toBeLessThanOrEqual(perPage);
    const summary = last.payload.blocks[last.payload.blocks.length - 1]!;
    expect("text" in summary && summary.text.text).toContain(`${r.omitted} more alerts not shown`);
    for (const m of r.messages) {
      expect(m.payload.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.maxBlocks);
      expect(messageText(m.payload.blocks)).toBeLessThanOrEqual(SLACK_LIMITS.maxMessageChars);
    }
  });
});
