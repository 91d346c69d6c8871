/**
 * The server itself: loopback-only binding, ports, close() (also while a request hangs),
 * and the human summary the CLI prints.
 */
import { connect, createServer } from "node:net";
import { networkInterfaces } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { describeEmulator } from "./describe.js";
import { type EmulatorOptions, type SlackEmulator, startEmulator } from "./server.js";

const started: SlackEmulator[] = [];
async function start(options: EmulatorOptions = {}): Promise<SlackEmulator> {
  const emu = await startEmulator({ rateLimit: false, ...options });
  started.push(emu);
  return emu;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((emu) => emu.close()));
});

/** Resolves "connected" or the connection error code. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function portOf(emu: SlackEmulator): number {
  return Number(new URL(emu.url).port);
}

describe("binding", () => {
  it("listens on 127.0.0.1 on a random free port by default", async () => {
    const [a, b] = [await start(), await start()];
    expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(a.apiUrl).toBe(`${a.url}/api/`);
    expect(portOf(a)).toBeGreaterThan(0);
    expect(portOf(a)).not.toBe(portOf(b));
    expect(await tryConnect("127.0.0.1", portOf(a))).toBe("connected");
  });

  it("is not reachable on any other interface", async () => {
    const emu = await start();
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i !== undefined && !i.internal)
      .map((i) => i!.address);
    for (const address of [...others, "::1", "127.0.0.2"]) {
      expect(await tryConnect(address, portOf(emu))).not.toBe("connected");
    }
  });

  it("uses the port it is given", async () => {
    const port = await freePort();
    const emu = await start({ port });
    expect(emu.url).toBe(`http://127.0.0.1:${port}`);
  });

  it("rejects a port in use and an invalid port", async () => {
    const emu = await start();
    await expect(startEmulator({ port: portOf(emu) })).rejects.toThrow(/EADDRINUSE/);
    await expect(startEmulator({ port: 70_000 })).rejects.toThrow(RangeError);
    await expect(startEmulator({ port: 1.5 })).rejects.toThrow(/port must be 0..65535/);
  });

  it("answers 404 for paths that are neither the Web API, a webhook nor a control", async () => {
    const emu = await start();
    const res = await fetch(`${emu.url}/index.html`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: "not_found" });
    expect(emu.records()).toEqual([]);
  });
});

describe("close()", () => {
  it("stops listening, and can be called twice", async () => {
    const emu = await start();
    await emu.close();
    await emu.close();
    expect(await tryConnect("127.0.0.1", portOf(emu))).toBe("ECONNREFUSED");
  });

  it("resolves while a request hangs, and the hanging client sees the connection end", async () => {
    const emu = await start();
    emu.fault({ target: { hook: "ops" }, kind: "hang" });
    const hanging = fetch(emu.webhookUrl("ops"), { method: "POST", body: JSON.stringify({ text: "x" }) });
    while (emu.records().length === 0) await new Promise((resolve) => setImmediate(resolve));
    await emu.close();
    await expect(hanging).rejects.toThrow(TypeError); // fetch failed: other side closed
  });

  it("resolves while a request waits out a latency fault, and keep-alive connections do not hold it open", async () => {
    const emu = await start();
    // A finished keep-alive request leaves an idle connection in fetch's pool.
    await fetch(`${emu.apiUrl}api.test`).then((res) => res.text());
    emu.fault({ target: { hook: "dev" }, kind: "latency", ms: 60_000, count: 2 });
    const slow = fetch(emu.webhookUrl("dev"), { method: "POST", body: JSON.stringify({ text: "x" }) });
    while (emu.activeFaults()[0]?.count !== 1) await new Promise((resolve) => setImmediate(resolve));
    await emu.close();
    await expect(slow).rejects.toThrow(TypeError);
    expect(emu.records().map((r) => r.kind)).toEqual(["api"]);
  });
});

describe("describeEmulator()", () => {
  it("lists the URLs, every hook URL, tokens, channels and limits", async () => {
    const emu = await start({ rateLimit: { perSecond: 1, burst: 3 }, workspaceRateLimit: { perMinute: 600 } });
    const text = describeEmulator(emu);
    expect(text).toContain(`listening on ${emu.url}`);
    expect(text).toContain(`Web API: ${emu.apiUrl}`);
    for (const hook of emu.workspace.hooks) expect(text).toContain(emu.webhookUrl(hook.name));
    for (const token of emu.workspace.tokens) expect(text).toContain(token.token);
    for (const channel of emu.workspace.channels) expect(text).toContain(`#${channel.name}`);
    expect(text).toMatch(/security\s+#security-alerts\s+http:/);
    expect(text).toMatch(/xoxb-emulator-revoked-token\s+user bot\s+chat:write\s+\(revoked\)/);
    expect(text).toContain("Rate limits: 1/s per channel and per hook, burst 3; workspace cap 600/min");
    expect(text).toContain(`GET ${emu.url}/_emulator/messages`);
    expect(text.endsWith("\n")).toBe(false);
  });

  it("says when limits are off and when a hook always fails", async () => {
    const emu = await start({
      rateLimit: false,
      workspaceRateLimit: false,
      workspace: {
        channels: [{ id: "C1", name: "alerts" }],
        hooks: [{ name: "gone", id: "B1", secret: "abc123", channel: "alerts", error: "no_service" }],
      },
    });
    const text = describeEmulator(emu);
    expect(text).toContain("Rate limits: off; workspace cap off");
    expect(text).toMatch(
      /gone\s+#alerts\s+http:\/\/127\.0\.0\.1:\d+\/services\/T0001\/B1\/abc123\s+\(always answers no_service\)/,
    );
    expect(text).toContain("Bot tokens:\n  (none)");
  });
});
