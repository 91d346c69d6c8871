/**
 * The option declaration a notifier with a list of destinations shares (Discord, bot mode):
 * the schema (`destinationListSchema`) and the check (`host.namedEntries`).
 */
import * as z from "zod/mini";
import { describe, expect, it } from "vitest";
import { createHost } from "../host.js";
import { MemoryLogger } from "../logger.js";
import { described } from "./schema.js";
import { destinationListSchema } from "./entries.js";

const host = createHost({ env: {}, configSource: "c.json", logger: new MemoryLogger() });
const spec = {
  key: "hooks",
  mode: "demo",
  one: "hook",
  many: "hooks",
  needs: "hook",
  example: '[{"name": "security"}]',
};
const errorOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as Error & { hint?: string; path?: string };
  }
  throw new Error("no error");
};

describe("destinationListSchema", () => {
  const schema = destinationListSchema({ name: described(z.string(), "Name.") }, "The demo hooks.", {
    without: ["mention", "mention_min_severity"],
  });

  it("an optional, non-empty list of strict entries with the plugin's keys and core's filters, less those left out", () => {
    expect(schema.safeParse(undefined).success).toBe(true);
    expect(schema.safeParse([]).success).toBe(false);
    expect(schema.safeParse([{ name: "a", min_severity: "high", max_messages: 2 }]).success).toBe(true);
    expect(schema.safeParse([{ name: "a", mention: ["!here"] }]).success).toBe(false);
    expect(schema.safeParse([{ name: "a", nmae: "typo" }]).success).toBe(false);
    expect(z.globalRegistry.get(schema._zod.def.innerType)?.description).toBe("The demo hooks.");
  });
});

describe("host.namedEntries", () => {
  it("gives each entry its name, JSON path and filters; a missing name gets the default for its place", () => {
    const entries = host.namedEntries([{ name: "a", min_severity: "high", other: 1 }, {}], {
      ...spec,
      defaultName: (i) => `hook_${i}`,
    });
    expect(entries.map((e) => [e.name, e.path, e.filter])).toEqual([
      ["a", "hooks[0]", { min_severity: "high" }],
      ["hook_1", "hooks[1]", {}],
    ]);
  });

  it("no entry, or two with one name: a config error naming the key or the entry, with a hint", () => {
    const none = errorOf(() => host.namedEntries(undefined, spec));
    expect(none.message).toBe("c.json: hooks: demo mode needs at least one hook");
    expect(none.hint).toBe('add "hooks": [{"name": "security"}]');
    const twice = errorOf(() => host.namedEntries([{ name: "a" }, { name: "a" }], spec));
    expect(twice.message).toBe('c.json: hooks[1].name: two hooks are named "a"');
  });
});
