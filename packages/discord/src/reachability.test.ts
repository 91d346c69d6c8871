import { readFileSync } from "node:fs";
import { applyFacts, parseFacts, parseScan, reachabilitySummaryPage } from "@socket-notify/core/internal";
import { validateDiscordMessage } from "@socket-notify/slack-emulator";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderDiscordReachability } from "./reachability.js";
import { storedDiscordBody } from "./stored.js";

const facts = parseFacts(readFileSync(`${process.env.SOCKET_FIXTURES}/synthetic__socket_facts.json`, "utf8"), {
  source: "/repo/.socket.facts.json",
});
const scan = { repo: "acme/web", branch: "main", reportUrl: "https://socket.dev/dashboard/org/acme/sbom/1" };
const summaryOf = (f = facts) =>
  reachabilitySummaryPage(
    applyFacts(parseScan(JSON.stringify({ new_alerts: [] })).alerts, f),
    {},
    {
      scan,
      factsLoaded: true,
    },
  ).page;

type Page = ReturnType<typeof summaryOf>;

/** Core's summary page with `n` made-up findings of any state, untrusted names and long call paths. */
function manyFindings(specs: { state: Page["findings"][number]["finding"]["state"]; name: string; trace: string }[]) {
  const page = summaryOf();
  const template = page.findings[0]!;
  const findings = specs.map((s, i) => ({
    ...template,
    finding: { ...template.finding, ...s, id: `GHSA-${i}`, ghsaId: `GHSA-${i}`, rawState: s.state },
  }));
  const byState = { reachable: 0, unknown: 0, error: 0, unreachable: 0 };
  for (const f of findings) byState[f.finding.state]++;
  return { ...page, findings, byState };
}

describe("renderDiscordReachability (from core's neutral summary, not from Block Kit)", () => {
  it("the synthetic facts: heading, counts, reachable findings with their call path, unreachable ones counted", () => {
    const page = summaryOf();
    const r = renderDiscordReachability(page, "Socket");
    expect(validateDiscordMessage(r.body)).toBeUndefined();
    expect(r.body.content).toBe(
      `**🎯 Socket reachability: ${page.byState.reachable} reachable of ${page.findings.length} vulnerabilities**`,
    );
    expect(r.body.username).toBe("Socket");
    expect(r.body.allowed_mentions).toEqual({ parse: [] });
    const [counts, list] = r.body.embeds;
    expect(counts!.description).toContain("Whole repository, from .socket.facts.json");
    expect(counts!.description).toContain("**Repository:** acme/web");
    expect(counts!.description).toMatch(/\*\*By state:\*\* 🎯 \d+ reachable/);
    expect(list!.title).toBe("Findings");
    const reachable = list!.fields!.find((f) => f.name.startsWith("🎯 Reachable"));
    expect(reachable?.value).toContain("```\n");
    // Every finding is listed or counted; unreachable ones are counted (as the Socket CLI).
    expect(r.listed + r.counted).toBe(page.findings.length);
    expect(list!.fields!.some((f) => f.name.includes("Unreachable"))).toBe(false);
    if (page.byState.unreachable)
      expect(r.body.embeds.at(-1)!.title).toBe(`➕ ${r.counted} finding${r.counted === 1 ? "" : "s"} not shown`);
  });

  it("no findings: says so", () => {
    const page = { ...summaryOf(), findings: [], byState: { reachable: 0, unknown: 0, error: 0, unreachable: 0 } };
    const r = renderDiscordReachability(page);
    expect(validateDiscordMessage(r.body)).toBeUndefined();
    expect(r.body.content).toBe("**✅ Socket reachability: no vulnerabilities**");
    expect(r.body.embeds[0]!.description).toContain("No vulnerabilities match this destination's filters.");
  });

  it("any number of findings with any text fits Discord's limits, every finding listed or counted", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 2000 });
    const spec = fc.record({
      state: fc.constantFrom("reachable", "unknown", "error", "unreachable") as fc.Arbitrary<
        Page["findings"][number]["finding"]["state"]
      >,
      name: fc.oneof(text, fc.constant("[x](https://evil.example) @everyone")),
      trace: text,
    });
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 300 }), (specs) => {
        const page = manyFindings(specs);
        const r = renderDiscordReachability(page);
        expect(validateDiscordMessage(r.body)).toBeUndefined();
        expect(storedDiscordBody(r.body, undefined)).toEqual({ body: r.body });
        const fields = r.body.embeds.reduce((n, e) => n + (e.fields?.length ?? 0), 0);
        expect(fields).toBe(r.listed);
        expect(r.listed + r.counted).toBe(specs.length);
        // Untrusted names never make a link or a ping.
        expect(JSON.stringify(r.body)).not.toContain("[x](https://evil.example)");
        expect(JSON.stringify(r.body)).not.toMatch(/(?<!\u200b)@everyone/);
      }),
      { numRuns: 60 },
    );
  });
});
