import { readFileSync } from "node:fs";
import { type NotifierCapabilities, SLACK_LIMITS } from "@socket-notify/core";
import {
  applyFacts,
  pageTotals,
  parseFacts,
  parseScan,
  planPages,
  reachabilitySummaryPage,
  sortByRisk,
} from "@socket-notify/core/internal";
import { syntheticScan } from "@socket-notify/testing";
import { describe, expect, it } from "vitest";
import { discordLayout } from "./layout.js";
import { discordPlugin } from "./plugin.js";
import { renderDiscordReachability } from "./reachability.js";
import { storedDiscordBody } from "./stored.js";

/** Every page of a 300-alert destination as Discord's layout renders it (`native`). */
function renderedBodies(): unknown[] {
  const alerts = sortByRisk(syntheticScan(300).alerts);
  const totals = pageTotals(alerts);
  const scan = { repo: "acme/web", reportUrl: "https://socket.dev/dashboard/org/acme/sbom/1" };
  const layout = discordLayout({
    scan,
    totals,
    capabilities: { ...SLACK_LIMITS, ...discordPlugin.capabilities } as NotifierCapabilities,
    destination: { route: "s", target: "s", key: "s", filter: {}, address: { username: "Socket" }, configPath: "$" },
  });
  return planPages(alerts, layout, 5, totals, scan).pages.map((p) => layout.native!(p).body);
}

const valid = () =>
  structuredClone(renderedBodies()[0]) as Record<string, unknown> & { embeds: Record<string, unknown>[] };

describe("a Discord body read back from an outbox", () => {
  it("what the renderer writes passes unchanged (pages and the reachability summary)", () => {
    for (const body of renderedBodies()) expect(storedDiscordBody(body, "Socket")).toEqual({ body });
    const facts = parseFacts(readFileSync(`${process.env.SOCKET_FIXTURES}/synthetic__socket_facts.json`, "utf8"), {
      source: "/repo/.socket.facts.json",
    });
    const summary = reachabilitySummaryPage(
      applyFacts(parseScan('{"new_alerts":[]}').alerts, facts),
      {},
      {
        scan: { repo: "acme/web" },
        factsLoaded: true,
      },
    ).page;
    const { body } = renderDiscordReachability(summary);
    expect(storedDiscordBody(body, undefined)).toEqual({ body });
  });

  it("pings stay off and the username is the config's, whatever the file says", () => {
    const body = { ...valid(), allowed_mentions: { parse: ["everyone", "users"] }, username: "Clyde Admin" };
    const r = storedDiscordBody(body, "Socket");
    expect(r).toMatchObject({ body: { allowed_mentions: { parse: [] }, username: "Socket" } });
    expect("body" in r && r.body.username).toBe("Socket");
    const none = storedDiscordBody(body, undefined);
    expect("body" in none && "username" in none.body).toBe(false);
  });

  it("anything socket-notify does not write is refused, naming where", () => {
    const cases: [(b: ReturnType<typeof valid>) => void, RegExp][] = [
      [(b) => (b.tts = true), /^tts: not a field socket-notify sends$/],
      [(b) => (b.avatar_url = "https://evil.example/a.png"), /^avatar_url: not a field/],
      [(b) => (b.components = []), /^components: not a field/],
      [(b) => (b.embeds[0]!.url = "javascript:alert(1)"), /^embeds\[0\]\.url: not an http\(s\) link$/],
      [(b) => (b.embeds[0]!.image = { url: "https://evil.example/x.png" }), /^embeds\[0\]\.image: not a field/],
      [(b) => (b.content = "x".repeat(2001)), /^content: expected a string of at most 2000/],
      [
        (b) => (b.embeds = Array.from({ length: 11 }, () => ({ description: "x" }))),
        /^embeds: expected a list of at most 10/,
      ],
      [
        (b) => (b.embeds = Array.from({ length: 2 }, () => ({ description: "x".repeat(3500) }))),
        /^embeds: more than Discord's 6000 characters$/,
      ],
      [
        (b) => ((b.embeds[0]!.fields as unknown[])[0] = { name: "a", value: 5 }),
        /^embeds\[0\]\.fields\[0\]\.value: expected a string/,
      ],
      [(b) => (b.embeds[0]!.color = "red"), /^embeds\[0\]\.color: not a colour$/],
      [(b) => ((b.content = ""), (b.embeds = [])), /^body: no content and no embeds$/],
    ];
    for (const [tamper, error] of cases) {
      const b = valid();
      tamper(b);
      const r = storedDiscordBody(b, undefined);
      expect("error" in r ? r.error : "accepted").toMatch(error);
    }
    expect(storedDiscordBody("a string", undefined)).toEqual({ error: "body: not an object" });
  });
});
