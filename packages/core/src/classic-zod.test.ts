import { webhookPlugin as builtWebhookPlugin } from "@socket-notify/slack-webhook";
import { describe, expect, it } from "vitest";
import { loadClassicZod } from "./classic-zod.js";
import { createEngine } from "./engine.js";
import { UserError } from "./errors.js";
import { createHost } from "./host.js";
import type { NotifierPlugin } from "./contract/plugin.js";
import { silentLogger } from "./logger.js";
import { parseOrThrow } from "./zod-issues.js";

// The webhook plugin is the built package (its types name core's dist/); this test runs core from source.
const webhookPlugin = builtWebhookPlugin as unknown as NotifierPlugin;

const newHost = () => createHost({ env: {}, configSource: "test", logger: silentLogger });

// One file, in order: vitest gives each test file its own module state, so the first test sees
// classic zod not loaded yet.
describe("host.z: classic zod for plugins, loaded on demand", () => {
  it("before loadClassicZod(), reading host.z is a UserError that says what to do", () => {
    const host = newHost();
    let thrown: unknown;
    try {
      void host.z;
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).code).toBe("plugin_invalid");
    expect((thrown as UserError).message).toBe("host.z was read before socket-notify loaded zod for plugins");
    expect((thrown as UserError).hint).toMatch(/builds or reads a host itself: await loadClassicZod\(\) first/);
    expect(() => newHost().filterShape).toThrow(/host\.filterShape was read before/);
  });

  it("a run with only zod/mini notifiers (the built-in ones) does not load it", async () => {
    const engine = await createEngine({
      config: { url: "https://hooks.slack.com/services/T0/B0/x" },
      plugins: [webhookPlugin],
      env: {},
    });
    expect(engine.destinations).toHaveLength(1);
    expect(() => engine.host.z).toThrow(/host\.z was read before/);
  });

  it("a plugin given in code gets it before it sees the host, whatever its optionsSchema", async () => {
    const seen: string[] = [];
    const plugin = {
      mode: "inline",
      destinations(_config: unknown, host: ReturnType<typeof newHost>) {
        // No optionsSchema, reads the host's classic schemas in destinations(): it must work.
        seen.push(typeof host.secretValue.meta, typeof host.z.object, typeof host.filterShape.levels.optional);
        return [];
      },
      createNotifier: () => ({ send: async () => ({ ok: true as const }) }),
    };
    await createEngine({ config: { mode: "inline" }, plugins: [webhookPlugin, plugin], env: {} });
    expect(seen).toEqual(["function", "function", "function"]);
  });

  it("after it, host.z, host.filterShape and host.secretValue are classic zod, and mix with core's zod/mini schemas", async () => {
    const loaded = await loadClassicZod();
    expect(await loadClassicZod()).toBe(loaded); // once
    const host = newHost();
    const z = host.z;
    // Classic methods on what the host hands out: the example plugin calls .meta() on secretValue.
    expect(typeof host.secretValue.meta).toBe("function");
    expect(typeof host.filterShape.repos.optional).toBe("function");

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
