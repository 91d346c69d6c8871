import { webhookPlugin as builtWebhookPlugin } from "@socket-notify/slack-webhook";
import * as zod from "zod/mini";
import { describe, expect, it } from "vitest";
import { filterShape, secretValue } from "./config/schema.js";
import { createEngine } from "./engine.js";
import { createHost } from "./host.js";
import type { NotifierPlugin } from "./contract/plugin.js";
import { silentLogger } from "./logger.js";
import { parseOrThrow } from "./zod-issues.js";

// The webhook plugin is the built package (its types name core's dist/); this test runs core from source.
const webhookPlugin = builtWebhookPlugin as unknown as NotifierPlugin;

const newHost = () => createHost({ env: {}, configSource: "test", logger: silentLogger });

describe("host.z: the one zod of a run, for plugins", () => {
  it("is there on a new host, before any engine ran: the zod core's own schemas are built with", () => {
    const host = newHost();
    expect(host.z.object).toBe(zod.object);
    expect(host.filterShape).toBe(filterShape);
    expect(host.secretValue).toBe(secretValue);
  });

  it("an engine's host hands it out too, with only the built-in notifiers in play", async () => {
    const engine = await createEngine({
      config: { url: "https://hooks.slack.com/services/T0/B0/x" },
      plugins: [webhookPlugin],
      env: {},
    });
    expect(engine.destinations).toHaveLength(1);
    expect(typeof engine.host.z.strictObject).toBe("function");
  });

  it("a plugin given in code reads it in destinations(), whatever its optionsSchema", async () => {
    const seen: string[] = [];
    const plugin = {
      mode: "inline",
      destinations(_config: unknown, host: ReturnType<typeof newHost>) {
        // No optionsSchema, reads the host's schemas in destinations(): it must work.
        seen.push(typeof host.secretValue.check, typeof host.z.object, typeof host.filterShape.levels.check);
        return [];
      },
      createNotifier: () => ({ send: async () => ({ ok: true as const }) }),
    };
    await createEngine({ config: { mode: "inline" }, plugins: [webhookPlugin, plugin], env: {} });
    expect(seen).toEqual(["function", "function", "function"]);
  });

  it("host.filterShape and host.secretValue are zod/mini schemas and compose into a plugin's own schema", () => {
    const host = newHost();
    const z = host.z;
    // The example plugin describes secretValue with z.describe in .check().
    expect(typeof host.secretValue.check).toBe("function");
    expect(z.optional(host.filterShape.repos).safeParse(undefined).success).toBe(true);

    const entry = z.strictObject({ name: z.string(), url: host.secretValue, ...host.filterShape });
    expect(entry.safeParse({ name: "a", url: { env: "HOOK" }, min_severity: "HIGH", levels: ["block"] }).success).toBe(
      true,
    );
    expect(() =>
      parseOrThrow(
        entry,
        { name: "a", url: "x", min_severity: "hgh" },
        { file: "cfg.json", code: "config_invalid", what: "config" },
      ),
    ).toThrow('cfg.json: min_severity: unknown severity "hgh"');
    expect(() =>
      parseOrThrow(
        entry,
        { name: "a", url: "x", levls: [] },
        { file: "cfg.json", code: "config_invalid", what: "config" },
      ),
    ).toThrow('cfg.json: levls: unknown key "levls" (did you mean "levels"?)');
  });
});
