import { readFileSync } from "node:fs";
import { main } from "@socket-notify/cli";
import { describe, expect, it } from "vitest";

const root = new URL("../", import.meta.url);

function capture() {
  let stdout = "";
  let stderr = "";
  return {
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
      cwd: root.pathname,
    },
    out: () => stdout,
    err: () => stderr,
  };
}

describe("the JSON Schema shipped in @socket-notify/core", () => {
  it("is what `socket-notify schema` prints today (regenerate: node packages/cli/dist/bin.cjs schema --out packages/core/config.schema.json)", async () => {
    const c = capture();
    expect(await main(["schema"], c.io)).toBe(0);
    const shipped = readFileSync(new URL("packages/core/config.schema.json", root), "utf8");
    expect(JSON.parse(shipped)).toEqual(JSON.parse(c.out()));
  });

  it("describes the Socket CLI's keys and ours, and refuses unknown keys", () => {
    const schema = JSON.parse(readFileSync(new URL("packages/core/config.schema.json", root), "utf8")) as {
      properties: Record<string, unknown>;
      additionalProperties: unknown;
    };
    for (const k of [
      "mode",
      "url",
      "url_configs",
      "bot_configs",
      "bot_token",
      "slack_api_url",
      "levels",
      "max_messages",
      "timeout",
      "plugins",
    ]) {
      expect(schema.properties, k).toHaveProperty(k);
    }
    expect(schema.additionalProperties).toBe(false);
  });
});
