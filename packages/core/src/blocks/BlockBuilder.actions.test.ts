/**
 * The `actions` hook (interactive triage): its block goes right under each alert, every alert is
 * its own entry (three alerts of one package are three rows), and pages stay within 50 blocks
 * with every alert either shown or counted.
 */
import { describe, expect, it } from "vitest";
import { type Alert } from "../model.js";
import { BlockBuilder } from "./BlockBuilder.js";
import { type Block } from "./types.js";

function alerts(n: number, pkg = (i: number) => `pkg-${i}`): Alert[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `a${i}`,
    ecosystem: "npm",
    name: pkg(i),
    version: "1.0.0",
    type: `type${i}`,
    severity: "high",
    action: "warn",
    title: `alert ${i}`,
    description: "",
    purl: `pkg:npm/${pkg(i)}@1.0.0`,
    introducedBy: [],
    manifests: [],
    origin: "new",
  }));
}

const row = (a: Alert): Block => ({ type: "actions", block_id: `row:${a.id}`, elements: [{ type: "button" }] });

describe("BlockBuilder actions hook", () => {
  it("puts each alert's block under it; alerts of one package are separate entries", () => {
    const built = new BlockBuilder().build(
      alerts(3, () => "same"),
      {},
      { actions: row },
    );
    const blocks = built.messages[0]!.payload.blocks;
    const rows = blocks.filter((b) => b.type === "actions");
    expect(rows.map((b) => (b as { block_id: string }).block_id).sort()).toEqual(["row:a0", "row:a1", "row:a2"]);
    // section, then its actions, for every alert (the type keys are one context line per message)
    const i = blocks.findIndex((b) => b.type === "actions");
    expect(blocks[i - 1]?.type).toBe("section");
    expect(blocks.filter((b) => b.type === "context")).toHaveLength(1);
  });

  it("many alerts: every page within 50 blocks, every alert shown once or counted", () => {
    const built = new BlockBuilder().build(alerts(200), {}, { actions: row, maxMessages: 5 });
    for (const m of built.messages) expect(m.payload.blocks.length).toBeLessThanOrEqual(50);
    const rows = built.messages.flatMap((m) => m.payload.blocks.filter((b) => b.type === "actions"));
    expect(rows.length).toBe(built.shown);
    expect(built.shown + built.omitted).toBe(200);
  });

  it("no hook: no actions blocks", () => {
    const built = new BlockBuilder().build(alerts(3), {});
    expect(built.messages[0]!.payload.blocks.some((b) => b.type === "actions")).toBe(false);
  });
});
