/** Workspace files (JSON and YAML) and the errors a bad one produces. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator } from "./server.js";
import { defaultWorkspace, loadWorkspaceFile, resolveWorkspace, WorkspaceError } from "./workspace.js";

const dir = mkdtempSync(join(tmpdir(), "slack-emulator-ws-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const YAML_WORKSPACE = `# A small workspace for a demo
team: { id: T0DEMO, name: Demo Corp }
channels:
  - id: C0SEC
    name: security
    members: [notifier]
  - id: G0PRIV
    name: private-ops
    private: true
    members: [notifier]
  - id: C0OLD
    name: old
    archived: true
tokens:
  - token: xoxb-demo-token
    user: notifier
    scopes: [chat:write, channels:read, groups:read]
hooks:
  - name: sec
    id: B0SEC
    secret: demosecret123
    channel: "#security"
`;

async function postWith(apiUrl: string, token: string, channel: string) {
  const res = await fetch(`${apiUrl}chat.postMessage`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ channel, text: "hi" }),
  });
  return (await res.json()) as Record<string, unknown>;
}

async function expectWorkspaceError(load: () => unknown, message: RegExp, field?: string) {
  let caught: unknown;
  try {
    await load();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WorkspaceError);
  const error = caught as WorkspaceError;
  expect(error.message).toMatch(message);
  expect(error.field).toBe(field);
  return error;
}

describe("workspace files", () => {
  it("starts from a YAML file: team, channels, membership, tokens and hooks", async () => {
    for (const name of ["ws.yaml", "ws.yml"]) {
      const emu = await startEmulator({ workspace: file(name, YAML_WORKSPACE), rateLimit: false });
      try {
        expect(emu.workspace.team).toEqual({ id: "T0DEMO", name: "Demo Corp" });
        expect(emu.webhookUrl("sec")).toBe(`${emu.url}/services/T0DEMO/B0SEC/demosecret123`);
        const ok = await fetch(emu.webhookUrl("sec"), { method: "POST", body: JSON.stringify({ text: "x" }) });
        expect(await ok.text()).toBe("ok");
        expect(emu.messages()[0]).toMatchObject({ channel: "C0SEC", channelName: "security" });
        expect(await postWith(emu.apiUrl, "xoxb-demo-token", "G0PRIV")).toMatchObject({ ok: true, channel: "G0PRIV" });
        expect(await postWith(emu.apiUrl, "xoxb-demo-token", "old")).toMatchObject({ ok: false, error: "is_archived" });
        expect(await postWith(emu.apiUrl, "xoxb-emulator-bot-token", "security")).toMatchObject({
          ok: false,
          error: "invalid_auth",
        });
      } finally {
        await emu.close();
      }
    }
  });

  it("starts from a JSON file, and the default workspace round-trips through one", async () => {
    const path = file("default.json", JSON.stringify(defaultWorkspace(), null, 2));
    expect(loadWorkspaceFile(path)).toEqual(resolveWorkspace(defaultWorkspace()));
    const emu = await startEmulator({ workspace: path, rateLimit: false });
    try {
      expect(await postWith(emu.apiUrl, "xoxb-emulator-bot-token", "general")).toMatchObject({
        ok: true,
        channel: "C0000000001",
      });
    } finally {
      await emu.close();
    }
  });

  it("fills in defaults: team, token user and IDs, no hooks, the test app with the first token, no users", () => {
    const ws = loadWorkspaceFile(
      file("minimal.yaml", "channels:\n  - { id: C1, name: alerts }\ntokens:\n  - token: xoxb-1\n"),
    );
    expect(ws).toEqual({
      team: { id: "T0001", name: "emulator" },
      channels: [{ id: "C1", name: "alerts", private: false, archived: false, members: [] }],
      tokens: [
        { token: "xoxb-1", user: "bot", userId: "U0000000001", botId: "B0000000001", scopes: [], revoked: false },
      ],
      hooks: [],
      app: {
        id: "A0000000001",
        appToken: "xapp-1-A0000000001-emulator-app-token",
        signingSecret: "emulatorsigningsecret0000000001",
        botToken: "xoxb-1",
      },
      users: [],
      usergroups: [],
    });
  });

  it("reads the app, users and user groups from a file", () => {
    const ws = loadWorkspaceFile(
      file(
        "app.yaml",
        [
          "channels: [{ id: C1, name: alerts }]",
          "tokens: [{ token: xoxb-1 }]",
          "app: { id: A0DEMO, appToken: xapp-demo, signingSecret: demo-secret, requestUrl: 'http://127.0.0.1:3000/slack/events' }",
          "users: [{ id: U0ALICE, name: alice }]",
          "usergroups: [{ id: S0SEC, handle: sec, users: [alice] }]",
          "",
        ].join("\n"),
      ),
    );
    expect(ws.app).toEqual({
      id: "A0DEMO",
      appToken: "xapp-demo",
      signingSecret: "demo-secret",
      requestUrl: "http://127.0.0.1:3000/slack/events",
      botToken: "xoxb-1",
    });
    expect(ws.users).toEqual([{ id: "U0ALICE", name: "alice", realName: "alice" }]);
    expect(ws.usergroups).toEqual([{ id: "S0SEC", handle: "sec", users: ["U0ALICE"] }]);
  });
});

describe("bad workspace files", () => {
  it("names a file that cannot be read", async () => {
    const missing = join(dir, "missing.yaml");
    const error = await expectWorkspaceError(
      () => startEmulator({ workspace: missing }),
      /Cannot read workspace file .*missing\.yaml: ENOENT/,
    );
    expect(error.file).toBe(missing);
  });

  it("says a .json file is not valid JSON", async () => {
    await expectWorkspaceError(
      () => loadWorkspaceFile(file("bad.json", "{ channels: [] ")),
      /Invalid workspace file .*bad\.json: not valid JSON/,
    );
  });

  it("says a YAML file is not valid YAML", async () => {
    await expectWorkspaceError(
      () => loadWorkspaceFile(file("bad.yaml", "channels:\n  - id: C1\n   name: x\n")),
      /Invalid workspace file .*bad\.yaml: not valid YAML/,
    );
  });

  it("names the file and the field of the first problem", async () => {
    const cases: [string, string, RegExp, string][] = [
      ["empty.yaml", "", /\(workspace\) must be an object/, "(workspace)"],
      ["no-channels.yaml", "tokens: []\n", /channels must be a list/, "channels"],
      [
        "bad-id.yaml",
        "channels:\n  - { id: C1, name: ok }\n  - { id: x1, name: bad }\n",
        /channels\[1\]\.id must be a channel ID like C0123456789 \(got "x1"\)/,
        "channels[1].id",
      ],
      [
        "upper.yaml",
        "channels:\n  - { id: C1, name: Alerts }\n",
        /channels\[0\]\.name must be a lowercase channel name/,
        "channels[0].name",
      ],
      [
        "dup.yaml",
        "channels:\n  - { id: C1, name: a }\n  - { id: C2, name: a }\n",
        /channels\[1\]\.name duplicates another channel name \("a"\)/,
        "channels[1].name",
      ],
      [
        "typo.yaml",
        "channels:\n  - { id: C1, name: a, archive: true }\n",
        /channels\[0\]\.archive is not a known field \(expected one of: id, name, private, archived, members\)/,
        "channels[0].archive",
      ],
      [
        "yes.yaml",
        "channels:\n  - { id: C1, name: a, private: yes }\n",
        /channels\[0\]\.private must be true or false/,
        "channels[0].private",
      ],
      [
        "hook.yaml",
        "channels:\n  - { id: C1, name: a }\nhooks:\n  - { name: h, id: B1, secret: s1, channel: nope }\n",
        /hooks\[0\]\.channel names no channel in channels \(got "nope"\)/,
        "hooks[0].channel",
      ],
      [
        "hook-error.yaml",
        "channels:\n  - { id: C1, name: a }\nhooks:\n  - { name: h, id: B1, secret: s1, channel: a, error: broken }\n",
        /hooks\[0\]\.error must be one of invalid_payload, invalid_blocks, no_text, action_prohibited/,
        "hooks[0].error",
      ],
      [
        "secret.yaml",
        "channels:\n  - { id: C1, name: a }\nhooks:\n  - { name: h, id: B1, secret: a/b, channel: a }\n",
        /hooks\[0\]\.secret must be letters and digits only/,
        "hooks[0].secret",
      ],
      [
        "token.yaml",
        "channels: []\ntokens:\n  - { token: xoxb-1, scopes: chat:write }\n",
        /tokens\[0\]\.scopes must be a list/,
        "tokens[0].scopes",
      ],
    ];
    for (const [name, content, message, field] of cases) {
      const path = file(name, content);
      const error = await expectWorkspaceError(() => startEmulator({ workspace: path }), message, field);
      expect(error.message).toContain(`Invalid workspace file ${path}: `);
      expect(error.file).toBe(path);
    }
  });

  it("checks workspace objects the same way, without a file name", async () => {
    await expectWorkspaceError(
      () => startEmulator({ workspace: { channels: [{ id: "C1", name: "a", members: "bot" as never }] } }),
      /^Invalid workspace: channels\[0\]\.members must be a list$/,
      "channels[0].members",
    );
  });
});
