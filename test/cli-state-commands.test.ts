/**
 * mute / unmute / mutes / state export / state import, end to end on the built CLI with an
 * embedded state file (the send side is in cli-state-send.test.ts).
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lines, runCli, tempDir } from "./cli-harness.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir("cli-state-commands-");
});
afterAll(async () => {
  await tmp?.cleanup();
});

describe("mute, unmute, mutes, state export/import", () => {
  it("a mute records who, when, why and until when; mutes lists it; unmute by id removes it", async () => {
    const state = tmp.path("a", "state.json");
    const env = { SOCKET_NOTIFY_STATE: state, GITHUB_ACTOR: "octocat" };
    const m = await runCli(
      [
        "mute",
        "npm/lodash@4.17.20",
        "--type",
        "criticalCVE",
        "--reason",
        "not reachable <b>",
        "--for",
        "30d",
        "--repo",
        "acme/web",
      ],
      { env },
    );
    expect(m.stderr).toBe("");
    expect(m.code).toBe(0);
    const id =
      /^muted: (mute-[0-9a-f]{8}) {2}mute {2}npm\/lodash@4\.17\.20 type criticalCVE in acme\/web {2}by octocat at \S+, until (\S+): not reachable <b>$/.exec(
        m.stdout.trim(),
      );
    expect(id, m.stdout).not.toBeNull();
    const until = Date.parse(id?.[2] ?? "");
    expect(until - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const list = await runCli(["mutes", "--json"], { env });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        id: id?.[1],
        kind: "mute",
        by: "octocat",
        reason: "not reachable <b>",
        target: { ecosystem: "npm", name: "lodash", version: "4.17.20", type: "criticalCVE", repo: "acme/web" },
      }),
    ]);

    const by = await runCli(["mute", "pypi/requests", "--force", "--reason", "vendored", "--by", "alice"], { env });
    expect(by.stdout).toMatch(/by alice at .*, no expiry: vendored$/m);

    const un = await runCli(["unmute", id?.[1] as string], { env });
    expect(un.code).toBe(0);
    expect(un.stdout).toMatch(/^unmuted: mute-/);
    const after = await runCli(["mutes"], { env });
    expect(lines(after.stdout)).toHaveLength(1);
    expect(after.stdout).toContain("pypi/requests in every repository");
    const byTarget = await runCli(["unmute", "pypi/requests"], { env });
    expect(byTarget.code).toBe(0);
    expect((await runCli(["mutes"], { env })).stdout.trim()).toBe("no mutes, acknowledgements or snoozes in force");
    const none = await runCli(["unmute", "mute-00000000"], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('unmute: no mute is named "mute-00000000"');
  });

  it("malware and didYouMean need --force, as does a mute of every type; bad flags are one-line usage errors", async () => {
    const env = { SOCKET_NOTIFY_STATE: tmp.path("b", "state.json") };
    for (const type of ["malware", "didYouMean"]) {
      const r = await runCli(["mute", "npm/evil", "--type", type, "--reason", "x"], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`mute: muting ${type} alerts needs --force`);
      expect(r.stderr).not.toMatch(/at .*\.js/);
      expect((await runCli(["mute", "npm/evil", "--type", type, "--reason", "x", "--force"], { env })).code).toBe(0);
    }
    const all = await runCli(["mute", "npm/left-pad", "--reason", "x"], { env });
    expect(all.code).toBe(2);
    expect(all.stderr).toContain("without --type, the mute would also hide malware");
    const cases: [string[], string][] = [
      [["mute", "npm/x", "--type", "t"], "--reason is required"],
      [["mute", "lodash", "--type", "t", "--reason", "r"], 'mute: "lodash" is not ecosystem/name[@version]'],
      [["mute", "npm/x", "--type", "t", "--reason", "r", "--for", "soon"], "--for: expected a duration like 30d"],
      [
        ["mute", "npm/x", "--type", "t", "--reason", "r", "--until", "2001-01-01"],
        "--until: 2001-01-01 is in the past",
      ],
      [["mute", "npm/x", "--type", "t", "--reason", "r", "--for", "1d", "--until", "2099-01-01"], "give one of them"],
      [["mute", "npm/x", "--type", "t", "--reason", "r", "--repo", "nope"], "--repo: expected owner/name"],
      [["state", "dump", "x"], "state: expected state export FILE or state import FILE"],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { env });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
      expect(lines(r.stderr).length).toBeLessThanOrEqual(2);
    }
  });

  it("no state configured: exit 2 naming both ways to set it", async () => {
    const config = await tmp.write("nostate.json", { url: "https://hooks.slack.com/services/T0/B0/x" });
    const r = await runCli(["mutes", "--config", config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("mutes: no state store is configured");
    expect(r.stderr).toContain("SOCKET_NOTIFY_STATE");
  });

  it('"state" in the config is relative to the config file; export then import into another store', async () => {
    const config = await tmp.write("with-state.json", {
      url: [{ env: "HOOK" }],
      state: "c/state.json",
    });
    const m = await runCli(["mute", "npm/lodash", "--type", "criticalCVE", "--reason", "r", "--config", config]);
    expect(m.stderr).toBe("");
    expect(m.code).toBe(0);
    const exportFile = tmp.path("export.json");
    const ex = await runCli(["state", "export", exportFile, "--config", config]);
    expect(ex.code).toBe(0);
    const doc = JSON.parse(await readFile(exportFile, "utf8"));
    expect(doc).toMatchObject({ format: "socket-notify-state", schemaVersion: 2, decisions: [{ kind: "mute" }] });
    expect(JSON.parse(await readFile(tmp.path("c", "state.json"), "utf8")).decisions).toHaveLength(1);

    const other = { SOCKET_NOTIFY_STATE: tmp.path("d", "state.json") };
    const im = await runCli(["state", "import", exportFile], { env: other });
    expect(im.code).toBe(0);
    expect(im.stderr).toContain("imported 1 decision and 0 living messages");
    expect(JSON.parse((await runCli(["mutes", "--json"], { env: other })).stdout)).toEqual(doc.decisions);
    const toStdout = await runCli(["state", "export", "-"], { env: other });
    expect(JSON.parse(toStdout.stdout).decisions).toEqual(doc.decisions);

    const bad = await tmp.write("bad-export.json", {
      format: "socket-notify-state",
      schemaVersion: 9,
      decisions: [],
      scopes: [],
    });
    const refused = await runCli(["state", "import", bad], { env: other });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("written by a newer socket-notify (state schema 9");
  });

  it("a postgres:// state never shows its password, even when the server is not there", async () => {
    const r = await runCli(["mutes"], { env: { SOCKET_NOTIFY_STATE: "postgres://u:hunter2-pw@127.0.0.1:1/db" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("postgres://u:****@127.0.0.1:1/db");
    expect(r.stdout + r.stderr).not.toContain("hunter2");
  });
});
