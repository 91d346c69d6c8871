/**
 * Proxies from the environment, through the built binary: a real HTTP proxy on loopback (the
 * `proxy` package) records every CONNECT it tunnels; the emulator (and, for a plugin, a sink)
 * records what arrived. Loopback targets go through the proxy unless NO_PROXY lists them.
 */
import { createServer, type IncomingMessage } from "node:http";
import { type AddressInfo } from "node:net";
import { join } from "node:path";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { type HttpSink, startSink } from "@socket-notify/testing";
import { createProxy } from "proxy";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emulatorBotEnv, emulatorSecrets, enableJsonReport, REPO, runCli, tempDir } from "./cli-harness.js";

interface Proxy {
  url: string;
  port: number;
  /** `CONNECT host:port` (tunnels) and `GET http://…` (plain forwards) it was asked for. */
  seen: string[];
  close(): Promise<void>;
}

async function startProxy(credentials?: { user: string; password: string }): Promise<Proxy> {
  const server = createProxy(createServer());
  const seen: string[] = [];
  server.on("connect", (req: IncomingMessage) => seen.push(`CONNECT ${req.url}`));
  server.on("request", (req: IncomingMessage) => seen.push(`${req.method} ${req.url}`));
  if (credentials) {
    const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString("base64")}`;
    server.authenticate = (req) => req.headers["proxy-authorization"] === expected;
  }
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let emu: SlackEmulator;
let proxy: Proxy;
let authProxy: Proxy;
let sink: HttpSink;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let report: string;
let webhookConfig: string;
let botConfig: string;
const PASSWORD = "pr0xy-Pa55word-7731";

beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false });
  proxy = await startProxy();
  authProxy = await startProxy({ user: "ci-runner", password: PASSWORD });
  sink = await startSink();
  tmp = await tempDir("cli-proxy-");
  report = await tmp.write("report.json", enableJsonReport());
  webhookConfig = await tmp.write("webhook.json", { mode: "webhook", url: [{ name: "sec", url: { env: "HOOK" } }] });
  botConfig = await tmp.write("bot.json", {
    mode: "bot",
    bot_token: { env: "SOCKET_SLACK_BOT_TOKEN" },
    bot_configs: [{ name: "sec", channels: ["security-alerts"] }],
  });
});

afterAll(async () => {
  await emu?.close();
  await proxy?.close();
  await authProxy?.close();
  await sink?.close();
  await tmp?.cleanup();
});

beforeEach(() => {
  emu.reset();
  sink.reset();
  proxy.seen.length = 0;
  authProxy.seen.length = 0;
});

const emuHost = () => new URL(emu.apiUrl).host;

describe("proxies from the environment", () => {
  it("webhook mode: the message goes through HTTP_PROXY (loopback is proxied too) and arrives", async () => {
    const r = await runCli(["send", report, "-c", webhookConfig], {
      env: { HOOK: emu.webhookUrl("dev"), HTTP_PROXY: proxy.url },
    });
    expect(r.code).toBe(0);
    expect(emu.messages({ hook: "dev" })).toHaveLength(1);
    expect(proxy.seen).toContain(`CONNECT ${emuHost()}`);
  });

  it("bot mode: auth.test, conversations.list and chat.postMessage go through http_proxy (lower case)", async () => {
    const r = await runCli(["send", report, "-c", botConfig], {
      env: { ...emulatorBotEnv(emu), http_proxy: proxy.url },
    });
    expect(r.code).toBe(0);
    expect(emu.messages({ channel: "security-alerts" })).toHaveLength(1);
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(proxy.seen.every((s) => s === `CONNECT ${emuHost()}`)).toBe(true);
  });

  it("a plugin that sends with host.fetch goes through the proxy too", async () => {
    const endpoint = sink.newUrl();
    const cfg = await tmp.write("plugin.json", {
      mode: "json-webhook",
      plugins: [join(REPO, "examples/json-webhook/index.js")],
      endpoints: [{ name: "siem", url: { env: "SIEM_URL" } }],
    });
    const r = await runCli(["send", report, "-c", cfg], { env: { SIEM_URL: endpoint.url, HTTP_PROXY: proxy.url } });
    expect(r.code).toBe(0);
    expect(sink.requests.filter((q) => q.path.endsWith(endpoint.secret))).toHaveLength(1);
    expect(proxy.seen).toContain(`CONNECT ${new URL(endpoint.url).host}`);
  });

  it("NO_PROXY listing the host (any case, with or without port) bypasses the proxy", async () => {
    for (const noProxy of [
      "127.0.0.1",
      "example.com, 127.0.0.0/8",
      `localhost,127.0.0.1:${new URL(emu.apiUrl).port}`,
      "*",
    ]) {
      proxy.seen.length = 0;
      emu.reset();
      const r = await runCli(["send", report, "-c", webhookConfig], {
        env: { HOOK: emu.webhookUrl("dev"), HTTP_PROXY: proxy.url, no_proxy: noProxy },
      });
      expect(r.code, noProxy).toBe(0);
      expect(emu.messages({ hook: "dev" }), noProxy).toHaveLength(1);
      expect(proxy.seen, noProxy).toEqual([]);
    }
    // Another port of the same host is not listed: proxied.
    const r = await runCli(["send", report, "-c", webhookConfig], {
      env: { HOOK: emu.webhookUrl("dev"), HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1:1" },
    });
    expect(r.code).toBe(0);
    expect(proxy.seen).toContain(`CONNECT ${emuHost()}`);
  });

  it("HTTPS_PROXY alone does not proxy an http target (as curl): the emulator is reached directly", async () => {
    const r = await runCli(["send", report, "-c", webhookConfig], {
      env: { HOOK: emu.webhookUrl("dev"), HTTPS_PROXY: proxy.url },
    });
    expect(r.code).toBe(0);
    expect(emu.messages({ hook: "dev" })).toHaveLength(1);
    expect(proxy.seen).toEqual([]);
  });

  it("credentials in the proxy URL are sent to the proxy and never printed, also with --debug and --json", async () => {
    const proxyUrl = `http://ci-runner:${PASSWORD}@127.0.0.1:${authProxy.port}`;
    for (const extra of [["--debug"], ["--json"]]) {
      authProxy.seen.length = 0;
      emu.reset();
      const r = await runCli(["send", report, "-c", botConfig, ...extra], {
        env: { ...emulatorBotEnv(emu), HTTP_PROXY: proxyUrl },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(emu.messages({ channel: "security-alerts" })).toHaveLength(1);
      expect(authProxy.seen).toContain(`CONNECT ${emuHost()}`);
      expectClean(r.stdout + r.stderr);
    }
  });

  it("wrong proxy credentials: a readable 407 error naming the variable, no password, the run stops, outbox kept", async () => {
    const outbox = tmp.path("outbox-407.jsonl");
    const proxyUrl = `http://ci-runner:wrong-${PASSWORD}@127.0.0.1:${authProxy.port}`;
    const r = await runCli(["send", report, "-c", webhookConfig, "--outbox", outbox, "--debug"], {
      env: { HOOK: emu.webhookUrl("dev"), HTTP_PROXY: proxyUrl },
    });
    expect(r.code).not.toBe(0);
    expect(emu.messages({ hook: "dev" })).toHaveLength(0);
    expect(r.stdout + r.stderr).toContain(
      `the proxy http://****@127.0.0.1:${authProxy.port} (from HTTP_PROXY) answered 407 Proxy Authentication Required`,
    );
    expect(r.stdout + r.stderr).toMatch(/hint: put the proxy's user and password in HTTP_PROXY/);
    expectClean(r.stdout + r.stderr);
    const { readFile } = await import("node:fs/promises");
    const lines = (await readFile(outbox, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(1);
    expect((JSON.parse(lines[0]!) as { error: { code: string } }).error.code).toBe("proxy_auth");
    expectClean(lines.join("\n"));
  });

  it("a proxy that is not there: 'cannot reach the proxy', retried, then reported; no password", async () => {
    const port = await closedPort();
    const r = await runCli(["send", report, "-c", botConfig, "--json", "--debug"], {
      env: { ...emulatorBotEnv(emu), HTTP_PROXY: `http://ci-runner:${PASSWORD}@127.0.0.1:${port}` },
    });
    expect(r.code).not.toBe(0);
    expect(emu.messages({ channel: "security-alerts" })).toHaveLength(0);
    const out = JSON.parse(r.stdout) as {
      destinations: { message_results: { attempts: number; error?: { code: string; message: string } }[] }[];
    };
    const result = out.destinations[0]!.message_results[0]!;
    expect(result.attempts).toBeGreaterThan(1); // a proxy that is down may come back: retried
    const error = result.error!;
    expect(error.code).toBe("proxy_error");
    expect(error.message).toContain(
      `cannot reach the proxy http://****@127.0.0.1:${port} (from HTTP_PROXY): connection refused`,
    );
    expectClean(r.stdout + r.stderr);
  });

  it("a malformed proxy variable is a usage error naming it (exit 2), without quoting its value", async () => {
    const r = await runCli(["send", report, "-c", webhookConfig], {
      env: { HOOK: emu.webhookUrl("dev"), HTTPS_PROXY: `socks9://u:${PASSWORD}@proxy` },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/HTTPS_PROXY: proxy scheme socks9 is not supported/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expectClean(r.stdout + r.stderr);
  });
});

function expectClean(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(encodeURIComponent(PASSWORD));
  expect(text).not.toContain(Buffer.from(`ci-runner:${PASSWORD}`).toString("base64"));
  for (const s of emulatorSecrets(emu)) expect(text).not.toContain(s);
}
