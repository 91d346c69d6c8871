/**
 * The preview page and the emulator's live view in a real headless Chromium (issue 21):
 * - `socket-notify preview` of the demo report shows, per destination, the messages the
 *   emulator receives from `socket-notify send` with the same report and config: same
 *   headers, same link targets, mrkdwn rendered (bold, links), nothing else;
 * - a hostile report (and hostile Block Kit given to the renderer directly) runs no script
 *   (a canary the injected text would set stays unset), adds no element that could, and makes
 *   no network request;
 * - the emulator's page at `/` updates live as webhook posts, bot posts, thread replies and
 *   chat.update edits arrive;
 * - screenshots for the README (SOCKET_NOTIFY_UPDATE_SCREENSHOTS=1 writes them to docs/).
 */
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { renderPage } from "@socket-notify/preview";
import { type EmulatorRecord, type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchChromium, skipWithoutChromium } from "./browser.js";
import { REPO, runCli, tempDir } from "./cli-harness.js";

/**
 * The browser globals the page.evaluate callbacks use (they run in Chromium). Declared here, for
 * this file only: the test type-check has no DOM lib, and adding it would retype Node's fetch for
 * every other file.
 */
interface BrowserElement {
  textContent: string | null;
  innerText: string;
  href: string;
  attributes: ArrayLike<{ name: string }> & Iterable<{ name: string }>;
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): BrowserElement | null;
  querySelectorAll(selector: string): ArrayLike<BrowserElement> & Iterable<BrowserElement>;
}
declare const window: { __canary?: string };
declare const document: BrowserElement & { body: BrowserElement };
declare function getComputedStyle(e: BrowserElement): { display: string };

const skip = skipWithoutChromium("test/preview-browser.test.ts (preview page, emulator live view)");
const UPDATE_SCREENSHOTS = process.env.SOCKET_NOTIFY_UPDATE_SCREENSHOTS === "1";

let browser: Browser;
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir("preview-browser-");
  if (!skip) browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await tmp?.cleanup();
});

/** A page that records every request but its own document's. */
async function open(url: string): Promise<{ page: Page; requests: string[]; navigations: () => number }> {
  const page = await browser.context.newPage();
  const requests: string[] = [];
  let navigations = 0;
  page.on("request", (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) navigations++;
  });
  await page.goto(url, { waitUntil: "load", timeout: 60_000 });
  return { page, requests, navigations: () => navigations };
}

async function screenshot(page: Page, name: string): Promise<void> {
  const file = tmp.path(name);
  await page.screenshot({ path: file, fullPage: false });
  const png = await readFile(file);
  expect(png.subarray(1, 4).toString()).toBe("PNG");
  if (UPDATE_SCREENSHOTS) await copyFile(file, join(REPO, "docs", name));
}

/** `<url|label>` targets of a payload's mrkdwn, as the browser normalises them. */
function payloadLinks(payload: Record<string, unknown>): string[] {
  const text = JSON.stringify(payload.blocks);
  return [...text.matchAll(/<(https?:\/\/[^|>]+)\|/g)].map((m) => new URL(m[1]!.replace(/&amp;/g, "&")).href);
}

/** The "done when" command, run from the repository as a new user would. */
const DEMO_ARGS = ["examples/demo/socket-report.json", "--config", "examples/demo/webhook.socketnotifyrc.json"];
/** The demo webhook config's destinations and the emulator hooks their env variables point at. */
const HOOK_OF: Record<string, string> = { security: "security", "supply-chain": "ops", "storefront-team": "dev" };

describe.skipIf(skip)("socket-notify preview in Chromium", () => {
  let emu: SlackEmulator;
  afterAll(() => emu?.close());

  it("shows per destination exactly the messages the emulator receives from send: headers, text, links", async () => {
    emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
    const env = {
      DEMO_WEBHOOK_SECURITY: emu.webhookUrl("security"),
      DEMO_WEBHOOK_OPS: emu.webhookUrl("ops"),
      DEMO_WEBHOOK_DEV: emu.webhookUrl("dev"),
    };
    const sent = await runCli(["send", ...DEMO_ARGS], { env });
    expect(sent.code, sent.stderr).toBe(0);
    const out = tmp.path("preview.html");
    const pv = await runCli(["preview", ...DEMO_ARGS, "--out", out]);
    expect(pv.code, pv.stderr).toBe(0);
    expect(pv.stderr).toContain(`preview: 3 messages to 3 destinations: wrote ${out}`);
    const url = pathToFileURL(tmp.path("preview.html")).href;
    const { page, requests } = await open(url);

    const groups = await page.$$eval("section.group", (found) =>
      (found as unknown as BrowserElement[]).map((s) => ({
        title: s.querySelector("h2")?.textContent ?? "",
        details: [...s.querySelectorAll("aside li")].map((l) => l.textContent ?? ""),
        messages: [...s.querySelectorAll(".messages > article.msg")].map((m) => {
          const body = m.querySelector(":scope > .msg-body")!;
          return {
            header: body.querySelector(".header")?.textContent ?? "",
            // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered (what a reader sees) is the point
            text: body.innerText,
            links: [...body.querySelectorAll("a[href]")].map((a) => a.href),
            bold: [...body.querySelectorAll("b")].map((b) => b.textContent ?? ""),
          };
        }),
      })),
    );
    expect(groups.map((g) => g.title)).toEqual(["security", "supply-chain", "storefront-team"]);
    for (const g of groups) {
      const arrived = emu.messages({ hook: HOOK_OF[g.title]! });
      expect(g.messages.length, g.title).toBe(arrived.length);
      arrived.forEach((r: EmulatorRecord, i) => {
        const shown = g.messages[i]!;
        const blocks = r.payload.blocks as { type: string; text?: { text: string } }[];
        expect(shown.header).toBe(blocks[0]!.text!.text);
        expect(shown.links).toEqual(payloadLinks(r.payload));
        // mrkdwn rendered, not printed: bold is bold, no markup or entities left in the text.
        expect(shown.bold).toContain("Repository:");
        expect(shown.text).not.toMatch(/\*Repository:\*|&lt;|&gt;|&amp;/);
      });
      expect(g.details.join("\n")).toMatch(/filter: /);
      expect(g.details.join("\n")).toMatch(/alerts? excluded/);
    }
    const team = groups[2]!;
    // One message holds all of the team's packages (46 entries fit one).
    expect(team.messages.map((m) => m.header)).toEqual([expect.stringContaining("Socket Security")]);
    // The report's hostile title is there, as text.
    expect(team.messages[0]!.text).toContain("<!channel> urgent: <https://evil.example|socket.dev>");
    expect(groups[0]!.details).toContain("21 alerts excluded: 21 × severity below min_severity high");
    expect(requests).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 1000 });
    await screenshot(page, "preview.png");
    await page.close();
  });
});

const CANARY = [
  "<script>window.__canary='script'</script>",
  `<img src=x onerror="window.__canary='img'">`,
  `"><svg onload="window.__canary='svg'">`,
  "</pre></code><script>window.__canary='pre'</script>",
  "<style>body{display:none}</style>",
  `<iframe srcdoc="<script>parent.__canary='iframe'</script>"></iframe>`,
  `<a href="javascript:window.__canary='a'">x</a>`,
  "<link rel=stylesheet href=https://evil.example/x.css>",
  `<meta http-equiv="refresh" content="0;url=https://evil.example/">`,
  "@import url(https://evil.example/y.css);",
  "```</pre><script>window.__canary='fence'</script>```",
];

function hostileReport(): string {
  const alerts = CANARY.map((h, i) => ({
    pkg_type: "npm",
    pkg_name: `${h}-${i}`,
    pkg_version: h,
    type: "malware",
    severity: "critical",
    title: h,
    description: `${h}\n${h}`,
    suggestion: h,
    props: { ghsaId: h, cveId: h },
    purl: `npm/${h}@1.0.0`,
    url: i % 2 ? `javascript:window.__canary='url${i}'` : "https://evil.example/beacon.png",
    introduced_by: [[h, h]],
    manifests: `${h};package.json`,
    error: true,
  }));
  return JSON.stringify({
    repo: CANARY[0],
    branch: CANARY[1],
    commit_sha: CANARY[2],
    pr_number: "7",
    diff_url: "javascript:window.__canary='diff'",
    report_url: "data:text/html,<script>window.__canary='report'</script>",
    new_alerts: alerts,
  });
}

/** What no page of ours may contain, whatever the input. */
async function expectInert(page: Page, requests: string[]): Promise<void> {
  expect(await page.evaluate(() => window.__canary)).toBeUndefined();
  const found = await page.evaluate(() => ({
    scripts: document.querySelectorAll("script").length,
    active: document.querySelectorAll(
      "img,svg,iframe,object,embed,link,style:not(head > style),meta[http-equiv=refresh],form,input,base",
    ).length,
    styled: document.querySelectorAll("[style]").length,
    handlers: [...document.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name)))
      .length,
    hrefs: [...document.querySelectorAll("[href],[src],[action]")].map(
      (e) => e.getAttribute("href") ?? e.getAttribute("src") ?? e.getAttribute("action") ?? "",
    ),
    visible: getComputedStyle(document.body).display !== "none",
  }));
  expect(found).toMatchObject({ scripts: 0, active: 0, styled: 0, handlers: 0, visible: true });
  for (const h of found.hrefs) expect(h).toMatch(/^(https?:|mailto:)/);
  // Click what is not a web link (buttons, refused links, mentions): still nothing runs or loads.
  for (const el of await page.$$("span.button, .unsafe-link, .mention")) await el.click();
  expect(await page.evaluate(() => window.__canary)).toBeUndefined();
  expect(requests).toEqual([]);
}

describe.skipIf(skip)("hostile input stays inert", () => {
  it("a hostile report: no script runs, nothing is fetched, the text is shown as text", async () => {
    await writeFile(tmp.path("hostile.json"), hostileReport());
    const config = { url: [{ url: { env: "HOOK" }, name: "sec" }], url_configs: { sec: { max_messages: 3 } } };
    const pv = await runCli(["preview", "hostile.json", "--branch", CANARY[3]!, "--out", "hostile.html"], {
      cwd: tmp.dir,
      env: { SOCKET_SLACK_CONFIG_JSON: JSON.stringify(config) },
    });
    expect(pv.code, pv.stderr).toBe(0);
    const { page, requests } = await open(pathToFileURL(tmp.path("hostile.html")).href);
    await expectInert(page, requests);
    // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered (what a reader sees) is the point
    const text = await page.innerText("#view");
    expect(text).toContain("canary='script'</script>");
    expect(text).toContain("<style>body{display:none}</style>");
    await page.close();
  });

  it("hostile Block Kit given to the renderer directly (not escaped by core): still inert", async () => {
    const h = CANARY.join(" ");
    const blocks = [
      { type: "header", text: { type: "plain_text", text: h } },
      {
        type: "section",
        text: { type: "mrkdwn", text: `${h}\n<javascript:window.__canary='link'|click me> <${h}|x>` },
      },
      { type: "section", text: { type: "plain_text", text: h }, fields: [{ type: "mrkdwn", text: h }] },
      {
        type: "actions",
        elements: [
          { type: "button", text: { type: "plain_text", text: h }, url: "javascript:window.__canary='button'" },
          {
            type: "button",
            text: { type: "plain_text", text: "ok" },
            url: `https://x.example/"onclick="window.__canary='q'`,
          },
        ],
      },
      {
        type: "rich_text",
        elements: [
          {
            type: "rich_text_section",
            elements: [
              { type: "link", url: "javascript:window.__canary='rich'", text: h },
              { type: "emoji", name: h, unicode: "1f600;<script>" },
              { type: "text", text: h, style: { bold: true, code: true } },
            ],
          },
          { type: "rich_text_preformatted", elements: [{ type: "text", text: h }] },
        ],
      },
      { type: "context", elements: [{ type: "image", image_url: "https://evil.example/i.png", alt_text: h }] },
      { type: "image", image_url: "https://evil.example/i.png", alt_text: h },
      { type: h },
    ];
    const html = renderPage({
      title: h,
      summary: [h],
      warnings: [h],
      groups: [
        {
          title: h,
          details: [h],
          messages: [{ payload: { text: h, blocks }, label: h, notes: [h], replies: [{ payload: { text: h } }] }],
        },
      ],
    });
    await writeFile(tmp.path("raw.html"), html);
    const { page, requests } = await open(pathToFileURL(tmp.path("raw.html")).href);
    await expectInert(page, requests);
    expect(await page.title()).toBe(h);
    await page.close();
  });
});

describe.skipIf(skip)("the emulator's live view", () => {
  let emu: SlackEmulator;
  afterAll(() => emu?.close());

  it("updates as messages, thread replies and edits arrive, without a reload", async () => {
    emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
    const url = `${emu.url}/`;
    const { page, requests, navigations } = await open(url);
    await page.getByText("Nothing has arrived yet").waitFor({ timeout: 30_000 });
    await page.locator("#live-status", { hasText: "live" }).waitFor({ timeout: 30_000 });

    const hook = await fetch(emu.webhookUrl("security"), {
      method: "POST",
      body: JSON.stringify({
        text: "fallback",
        blocks: [
          { type: "header", text: { type: "plain_text", text: "Live one" } },
          { type: "section", text: { type: "mrkdwn", text: "*Repository:* acme/x <https://socket.dev/x|the scan>" } },
        ],
      }),
    });
    expect(hook.status).toBe(200);
    const group = page.locator("section.group", { hasText: "webhook security" });
    await group.getByText("Live one").waitFor({ timeout: 30_000 });
    expect(await group.locator("b", { hasText: "Repository:" }).count()).toBe(1);
    expect(await group.locator("a", { hasText: "the scan" }).getAttribute("href")).toBe("https://socket.dev/x");

    const api = async (method: string, body: Record<string, unknown>) => {
      const res = await fetch(`${emu.apiUrl}${method}`, {
        method: "POST",
        headers: { authorization: "Bearer xoxb-emulator-bot-token", "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { ok: boolean; ts?: string; error?: string };
      expect(json.ok, json.error).toBe(true);
      return json;
    };
    const header = (t: string) => [{ type: "header", text: { type: "plain_text", text: t } }];
    const parent = await api("chat.postMessage", { channel: "general", text: "Parent", blocks: header("Parent") });
    await api("chat.postMessage", {
      channel: "general",
      thread_ts: parent.ts,
      text: "Reply",
      blocks: header("Reply in thread"),
    });
    await api("chat.update", { channel: "general", ts: parent.ts, text: "Parent", blocks: header("Parent, edited") });

    const parentMsg = page.locator("section.group", { hasText: "#general" }).locator("article.msg:not(.reply)").first();
    await parentMsg.getByText("Parent, edited").waitFor({ timeout: 30_000 });
    await parentMsg.locator(".thread").getByText("Reply in thread").waitFor({ timeout: 30_000 });
    await parentMsg.locator(".note", { hasText: "edited" }).first().waitFor({ timeout: 30_000 });
    expect(navigations()).toBe(1);
    expect(Number(await page.evaluate(() => document.body.dataset.updates))).toBeGreaterThanOrEqual(1);
    // Only the page's own event stream, on the emulator's origin.
    expect(requests.every((r) => r.startsWith(emu.url))).toBe(true);
    await screenshot(page, "emulator-live.png");
    await page.close();
  });

  it("serves the page with its Content-Security-Policy as a header too", async () => {
    const res = await fetch(`${emu.url}/`);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(await res.text()).toContain(`content="${csp}"`);
  });
});
