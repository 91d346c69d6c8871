/**
 * A living message longer than one page (issue 18): page 1 is the message, later pages are
 * thread replies under it. Later runs edit those replies in place (never post them again), post
 * only a page no reply holds yet, empty a page the report no longer needs (and reuse it when the
 * report grows again), and post again a page reply deleted in Slack. On the built CLI against the
 * emulator, with the embedded store; what the store remembers is read back with `state export`.
 */
import { readFile } from "node:fs/promises";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorBotEnv, enableJsonReport, issue, runCli, tempDir } from "./cli-harness.js";

let emu: SlackEmulator;
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false, workspaceRateLimit: false });
  tmp = await tempDir("cli-living-pages-");
});
afterAll(async () => {
  await emu?.close();
  await tmp?.cleanup();
});

/** `n` packages, one alert each (a message holds about 46 package entries: 60 make two pages, 120 three). */
const alerts = (n: number) =>
  Array.from({ length: n }, (_, i) => issue("networkAccess", "high", `page-pkg-${String(i).padStart(3, "0")}`));

type Rec = ReturnType<SlackEmulator["records"]>[number];
/** Records since the step began (the emulator keeps its messages: no reset between runs). */
let mark = 0;
const step = () => {
  mark = emu.records().length;
};
const recent = () => emu.records().slice(mark);
const ok = (method: string) => recent().filter((r) => r.kind === "api" && r.method === method && r.ok);
const text = (r: Rec | undefined) => JSON.stringify(r?.payload);
const tsOf = (r: Rec | undefined) => r?.ts as string;

/** Deletes a message as its author would in Slack (the emulator's chat.delete with the bot token). */
async function deleteInSlack(channel: string, ts: string): Promise<void> {
  const env = emulatorBotEnv(emu);
  const res = await fetch(`${emu.apiUrl}chat.delete`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.SOCKET_SLACK_BOT_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ channel, ts }),
  });
  expect(await res.json()).toMatchObject({ ok: true, ts });
}

describe("bot mode with state: a living message's later pages", () => {
  it("are edited in place on later runs; a new page is posted once; --dry-run names the reply each page would edit; an unneeded page is emptied and reused; a deleted one is posted again", async () => {
    const config = await tmp.write("bot.json", {
      mode: "bot",
      bot_configs: [{ name: "sec", channels: ["security-alerts"] }],
      state: "state/state.json",
    });
    const send = async (list: unknown[], sha: string) => {
      const file = await tmp.write(
        `r-${sha}.json`,
        enableJsonReport(list, { repo: "acme/web", branch: "feature-x", commit_sha: sha }),
      );
      const r = await runCli(["send", file, "-c", config, "--pr", "9"], { env: emulatorBotEnv(emu) });
      expect(r.stderr).not.toMatch(/error|warning/i);
      expect(r.code).toBe(0);
      return r;
    };
    const stored = async () => {
      const out = tmp.path("export.json");
      const r = await runCli(["state", "export", out, "-c", config], { env: emulatorBotEnv(emu) });
      expect(r.code).toBe(0);
      const doc = JSON.parse(await readFile(out, "utf8")) as {
        scopes: { message?: { ts: string; pages?: string[]; spare?: string[] } }[];
      };
      expect(doc.scopes).toHaveLength(1);
      return doc.scopes[0]?.message;
    };

    // Two pages: the message and one reply in its thread; the store remembers both.
    step();
    await send(alerts(60), "aaaaaaa1");
    const posts = ok("chat.postMessage");
    expect(posts).toHaveLength(2);
    const parent = tsOf(posts[0]);
    const page2 = tsOf(posts[1]);
    expect(posts[0]?.threadTs).toBeUndefined();
    expect(posts[1]?.threadTs).toBe(parent);
    expect(text(posts[1])).toContain("page-pkg-059");
    expect(await stored()).toMatchObject({ ts: parent, pages: [page2] });

    // The same report again: nothing at all.
    step();
    const same = await send(alerts(60), "aaaaaaa1");
    expect(recent().filter((r) => r.method === "chat.postMessage" || r.method === "chat.update")).toEqual([]);
    expect(same.stdout).toContain("nothing sent (0 new, 0 resolved): the living message already shows these alerts");

    // One more alert: both pages are edited in place; the only new post is the "1 new alert" reply.
    step();
    await send(alerts(61), "bbbbbbb2");
    expect(ok("chat.update").map((r) => r.ts)).toEqual([parent, page2]);
    const replies = ok("chat.postMessage");
    expect(replies).toHaveLength(1);
    expect(replies[0]?.threadTs).toBe(parent);
    expect(text(replies[0])).toContain("1 new alert in bbbbbbb");
    expect(text(ok("chat.update")[1])).toContain("page-pkg-060");

    // 120 alerts: three pages; pages 1 and 2 edited, page 3 posted in the thread, once.
    step();
    await send(alerts(120), "ccccccc3");
    expect(ok("chat.update").map((r) => r.ts)).toEqual([parent, page2]);
    const third = ok("chat.postMessage").filter((r) => !text(r).includes("new alert"));
    expect(third).toHaveLength(1);
    expect(third[0]?.threadTs).toBe(parent);
    expect(text(third[0])).toContain("page-pkg-119");
    const page3 = tsOf(third[0]);
    expect(await stored()).toMatchObject({ ts: parent, pages: [page2, page3] });

    // --dry-run says, per page, which reply it would edit, and what state would do; sends nothing.
    const dry = async (list: unknown[], flags: string[]) => {
      // The last run's commit: a new commit would be a change (the message names the commit).
      const file = await tmp.write(
        "r-dry.json",
        enableJsonReport(list, { repo: "acme/web", branch: "feature-x", commit_sha: "ccccccc3" }),
      );
      const r = await runCli(["send", file, "-c", config, "--pr", "9", "--dry-run", ...flags], {
        env: emulatorBotEnv(emu),
      });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    step();
    const plan = await dry([...alerts(120), issue("shellAccess", "high", "page-pkg-001")], []);
    expect(plan).toMatch(new RegExp(`message 1/3 \\(alerts\\):.*, edits ${parent} in place`));
    expect(plan).toMatch(new RegExp(`message 2/3 \\(alerts\\):.*, edits ${page2} in place`));
    expect(plan).toMatch(new RegExp(`message 3/3 \\(alerts\\):.*, edits ${page3} in place`));
    expect(plan).toMatch(new RegExp(`posted in the thread of ${parent}`));
    expect(plan).toContain(
      "sec → #security-alerts: would be updated in place (1 new, 0 resolved), with a thread reply",
    );
    const json = JSON.parse(await dry(alerts(120), ["--json"])) as { state: { destinations: unknown[] } };
    expect(json.state.destinations).toEqual([
      expect.objectContaining({ route: "sec", action: "nothing", thread_reply: false, new: 0, resolved: 0 }),
    ]);
    expect(await dry(alerts(120), [])).toContain("sec → #security-alerts: would send nothing (0 new, 0 resolved)");
    expect(
      recent().filter((r) => r.kind === "api" && r.method !== "auth.test" && r.method !== "conversations.list"),
    ).toEqual([]);

    // Page 2's reply deleted in Slack: the next change edits page 1 and 3, posts page 2 again in
    // the thread, and the store remembers the new reply.
    await deleteInSlack(posts[1]?.channel as string, page2);
    step();
    await send([...alerts(120), issue("shellAccess", "high", "page-pkg-000")], "ddddddd4");
    expect(recent().some((r) => r.method === "chat.update" && r.error === "message_not_found")).toBe(true);
    expect(ok("chat.update").map((r) => r.ts)).toEqual([parent, page3]);
    const reposted = ok("chat.postMessage").filter((r) => !text(r).includes("new alert"));
    expect(reposted).toHaveLength(1);
    expect(reposted[0]?.threadTs).toBe(parent);
    const page2b = tsOf(reposted[0]);
    expect(page2b).not.toBe(page2);
    expect(await stored()).toMatchObject({ ts: parent, pages: [page2b, page3] });

    // Down to 5 alerts: one page. Page 1 edited, pages 2 and 3 emptied in place; nothing posted.
    step();
    const small = await send(alerts(5), "eeeeeee5");
    const updates = ok("chat.update");
    expect(updates.map((r) => r.ts)).toEqual([parent, page2b, page3]);
    for (const u of updates.slice(1)) {
      expect(text(u)).toContain("no longer needed");
      expect(text(u)).not.toContain("page-pkg-");
    }
    expect(ok("chat.postMessage")).toEqual([]);
    expect(small.stdout).toContain("updated in place (0 new, 116 resolved)");
    const one = await stored();
    expect(one?.pages).toBeUndefined();
    expect(one?.spare).toEqual([page2b, page3]);

    // A change on one page: the emptied replies are not edited again.
    step();
    await send(alerts(6), "fffffff6");
    expect(ok("chat.update").map((r) => r.ts)).toEqual([parent]);

    // Back to two pages: the emptied page 2 reply is reused (edited), nothing else posted; page 3 stays spare.
    step();
    await send(alerts(60), "ggggggg7");
    expect(ok("chat.update").map((r) => r.ts)).toEqual([parent, page2b]);
    expect(text(ok("chat.update")[1])).toContain("page-pkg-059");
    expect(ok("chat.postMessage").filter((r) => !text(r).includes("new alert"))).toEqual([]);
    expect(await stored()).toMatchObject({ ts: parent, pages: [page2b], spare: [page3] });
  }, 240_000);
});
