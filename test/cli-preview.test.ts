/**
 * `socket-notify preview` as a user runs it (the built binary, no browser): what it writes
 * where, its usage errors, `--open` without a browser opener, and that the page is the plan's
 * messages, secrets never in it. The page itself is checked in Chromium: preview-browser.test.ts.
 */
import { readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "./cli-harness.js";

const ARGS = ["examples/demo/socket-report.json", "--config", "examples/demo/webhook.socketnotifyrc.json"];
let tmp: Awaited<ReturnType<typeof tempDir>>;
/** The demo report with every package twice (a second copy renamed): more than one message holds. */
let doubled: string;
beforeAll(async () => {
  tmp = await tempDir("cli-preview-");
  const demo = JSON.parse(await readFile("examples/demo/socket-report.json", "utf8"));
  const copies = demo.new_alerts.map((a: { pkg_name: string }) => ({ ...a, pkg_name: `${a.pkg_name}-copy` }));
  doubled = tmp.path("doubled-report.json");
  await writeFile(doubled, JSON.stringify({ ...demo, new_alerts: [...demo.new_alerts, ...copies] }));
});
afterAll(() => tmp.cleanup());

describe("socket-notify preview", () => {
  it("prints the page on stdout without --out: one self-contained document, every planned message, no secret", async () => {
    const secret = "https://hooks.slack.com/services/T000/B000/previewsecretvalue1";
    const r = await runCli(["preview", ...ARGS, "--facts", "examples/demo/socket.facts.json"], {
      env: { DEMO_WEBHOOK_SECURITY: secret, DEMO_WEBHOOK_OPS: secret, DEMO_WEBHOOK_DEV: secret },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^<!doctype html>/);
    expect(r.stdout).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'');
    expect(r.stdout).not.toMatch(/<script|<link|src=|previewsecretvalue1|hooks\.slack\.com/);
    // With facts as the demo sends them: one message to each destination (a message holds 46 package entries).
    expect(r.stdout.match(/<article class="msg"/g)?.length).toBe(3);
    expect(r.stdout).toContain("8 alerts routed here, in 1 message");
  });

  it("for a Discord config, shows Discord's embeds (what is sent), labelled, hostile text escaped", async () => {
    const demo = JSON.parse(await readFile("examples/demo/socket-report.json", "utf8"));
    demo.new_alerts[0].title = "<img src=x onerror=alert(1)> **@everyone** [click](https://evil.example)";
    const report = tmp.path("hostile-report.json");
    await writeFile(report, JSON.stringify(demo));
    const r = await runCli(["preview", report], {
      env: {
        SOCKET_SLACK_CONFIG_JSON: JSON.stringify({
          mode: "discord",
          discord_webhooks: [{ name: "security", url: { env: "DISCORD_HOOK" } }],
        }),
        DISCORD_HOOK: "https://discord.com/api/webhooks/123456789012345678/previewsecrettokenvalue",
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const articles = r.stdout.split('<article class="msg"').slice(1);
    expect(articles.length).toBe(3);
    for (const a of articles) {
      expect(a).toContain("Discord webhook body: markdown shown as written");
      // Embeds, not the Block Kit record (whose header and sections the Slack view draws).
      expect(a).toContain('<div class="embed">');
      expect(a).not.toMatch(/class="block (header|section)/);
    }
    expect(articles[0]).toContain("🚨 Socket Security: 31 alerts");
    // The title as Discord gets it (markdown escaped by the renderer), and HTML-escaped on the page.
    expect(r.stdout).not.toContain("<img");
    expect(r.stdout).toContain("\\&lt;img src=x onerror=alert\\(1\\)\\&gt;");
    expect(r.stdout).not.toMatch(/previewsecrettokenvalue|href="https:\/\/evil/);
  });

  it("--out writes the file and says so on stderr; a bad --out is a usage error naming it", async () => {
    const ok = await runCli(["preview", ...ARGS, "--out", tmp.path("p.html")]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe("");
    expect(ok.stderr).toContain(`preview: 3 messages to 3 destinations: wrote ${tmp.path("p.html")}`);
    expect(await readFile(tmp.path("p.html"), "utf8")).toMatch(/^<!doctype html>/);
    const bad = await runCli(["preview", ...ARGS, "--out", tmp.path("no/such/dir/p.html")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/preview: --out .*no\/such\/dir\/p\.html: cannot write \(no such directory\)/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it("bot mode: continuation pages indented as thread replies of the first; what did not fit is summarised", async () => {
    const bot = await runCli(["preview", doubled, "--config", "examples/demo/bot.socketnotifyrc.json"]);
    expect(bot.code, bot.stderr).toBe(0);
    // Every destination of the demo's bot config gets 2 pages of the doubled report: page 2 inside page 1's thread.
    const threads = bot.stdout.split('<div class="thread">').slice(1);
    expect(threads.length).toBe(3);
    for (const t of threads)
      expect(t).toMatch(/^<div class="thread-title">1 thread reply<\/div><article class="msg reply">.*?part 2 of 2/);
    expect(bot.stdout).toContain("pages after the first are sent as thread replies");
    const config = { url: [{ url: { env: "HOOK" }, name: "one" }], url_configs: { one: { max_messages: 1 } } };
    const one = await runCli(["preview", doubled], {
      env: { SOCKET_SLACK_CONFIG_JSON: JSON.stringify(config) },
    });
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/➕ <b>\d+ more alerts not shown<\/b>/);
    expect(one.stdout).toMatch(/\d+ more than fit counted in the last message/);
  });

  it("usage errors: no input, --out with --open, an option of another command", async () => {
    const none = await runCli(["preview"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("preview: no scan report given");
    const both = await runCli(["preview", ...ARGS, "--out", "x.html", "--open"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--out and --open together");
    const other = await runCli(["preview", ...ARGS, "--dry-run"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("preview: --dry-run is not an option of this command");
  });

  it("--open without xdg-open/open writes a private temporary page and prints its path", async () => {
    const r = await runCli(["preview", ...ARGS, "--open"], { env: { PATH: tmp.dir } });
    expect(r.code, r.stderr).toBe(0);
    const path = /open (\/\S+preview\.html)$/m.exec(r.stdout)?.[1];
    expect(r.stdout).toContain("no browser opener (xdg-open/open) found");
    expect(path).toBeDefined();
    expect(await readFile(path!, "utf8")).toMatch(/^<!doctype html>/);
  });
});

describe("the demo's terminal output", () => {
  async function demo(isTTY: boolean, env: Record<string, string> = {}): Promise<string> {
    const { main } = await import("@socket-notify/cli");
    let stdout = "";
    const code = await main(["demo"], {
      stdout: { write: (s: string) => (stdout += s), isTTY },
      stderr: { write: () => true },
      env,
      cwd: tmp.dir,
    });
    expect(code).toBe(0);
    return stdout;
  }

  it("renders mrkdwn: bold as ANSI bold on a terminal, plain text in a pipe, never the markup", async () => {
    const tty = await demo(true);
    expect(tty).toContain("│ \x1b[1mRepository:\x1b[22m acme/storefront");
    expect(tty).toMatch(/^Live view: http:\/\/127\.0\.0\.1:\d+\/ /m);
    const pipe = await demo(false);
    expect(pipe).toContain("│ Repository: acme/storefront");
    expect(pipe).not.toMatch(/\x1b|\*Repository:\*|&lt;/);
    expect(await demo(true, { NO_COLOR: "1" })).not.toContain("\x1b[");
  });
});
