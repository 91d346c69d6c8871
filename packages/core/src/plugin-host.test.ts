/**
 * A plugin's one channel to socket-notify: the host. Every hook gets the same object, and a
 * notifier sends with `host.fetch`, logs with `host.logger` and waits with `host.clock`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import "reflect-metadata";
import { container as rootContainer, type DependencyContainer, inject, injectable } from "tsyringe";
import { type NotifyConfig } from "./config/schema.js";
import { type PluginHost, TOKENS } from "./contract/context.js";
import { type NotifierPlugin } from "./contract/plugin.js";
import { createEngine } from "./engine.js";
import { isSocketNotifyError } from "./errors.js";
import { readScanFile } from "./input/parse.js";
import { MemoryLogger } from "./logger.js";
import { loadPluginModules } from "./plugins.js";
import { FakeClock } from "./testing/index.js";

const SCAN = await readScanFile(`${process.env.SOCKET_FIXTURES}/derived__enable_json_report.json`);

let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** An engine whose only destination goes to a `probe` plugin made by `createNotifier`. */
function probeEngine(createNotifier: NotifierPlugin["createNotifier"]) {
  return createEngine({
    config: { mode: "probe" },
    env: {},
    plugins: [
      {
        mode: "probe",
        destinations: () => [{ route: "p", target: "p", key: "p", filter: {}, address: null, configPath: "p" }],
        createNotifier,
      },
    ],
  });
}

async function sink(): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      bodies.push(body);
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/in`, bodies };
}

describe("the plugin host", () => {
  it("is the same object in optionsSchema, destinations and createNotifier, and carries fetch, logger and clock", async () => {
    const { url, bodies } = await sink();
    const hosts: PluginHost[] = [];
    const fetched: string[] = [];
    const logger = new MemoryLogger();
    const clock = new FakeClock({ autoAdvance: 60_000 });
    const plugin: NotifierPlugin = {
      mode: "probe",
      optionsSchema: (host) => {
        hosts.push(host);
        return host.z.object({ endpoint: host.z.optional(host.z.string()) });
      },
      destinations(config, host) {
        hosts.push(host);
        return [
          {
            route: "probe",
            target: "probe",
            key: "probe",
            filter: {},
            address: config.endpoint,
            configPath: "endpoint",
          },
        ];
      },
      createNotifier(config, host) {
        hosts.push(host);
        expect(config.endpoint).toBe(url);
        return {
          async send(message, ctx) {
            host.logger.info(`sending page ${message.index} at ${host.clock.now()}`);
            const res = await host.fetch(message.destination.address as string, {
              method: "POST",
              body: String(message.alerts.length),
              signal: ctx.signal,
            });
            return res.ok ? { ok: true } : { ok: false, failure: host.classifyHttpStatus(res.status, "", null) };
          },
        };
      },
    };
    const engine = await createEngine({
      config: { mode: "probe", endpoint: url },
      plugins: [plugin],
      env: {},
      logger,
      clock,
      fetch: (input, init) => {
        fetched.push(String(input));
        return globalThis.fetch(input, init);
      },
    });
    const report = await engine.notify(SCAN);
    expect(report.destinations[0]!.status).toBe("sent");
    expect(bodies.length).toBeGreaterThan(0);
    // What the notifier sent went through the embedder's fetch, the one host.fetch stands for.
    expect(fetched).toEqual(bodies.map(() => url));
    expect(hosts.length).toBeGreaterThanOrEqual(3);
    for (const h of hosts) expect(h).toBe(engine.host);
    expect(engine.host.clock).toBe(clock);
    expect(engine.host.logger).toBe(logger);
    expect(logger.lines).toContainEqual({ level: "info", message: expect.stringMatching(/^sending page 1 at \d+$/) });
  });

  it("a dry run never makes the notifier", async () => {
    let made = 0;
    const engine = await probeEngine(() => {
      made++;
      return { send: async () => ({ ok: true }) };
    });
    const report = await engine.notify(SCAN, { dryRun: true });
    expect(report.destinations[0]!.status).toBe("dry-run");
    expect(made).toBe(0);
  });

  it("each run gets a fresh child container holding the host and config; an injectable notifier resolves from it; the global container is untouched", async () => {
    @injectable()
    class Probe {
      constructor(
        @inject(TOKENS.Host) readonly host: PluginHost,
        @inject(TOKENS.Config) readonly config: NotifyConfig,
      ) {}
      async send() {
        return { ok: true as const };
      }
    }
    const seen: DependencyContainer[] = [];
    const made: Probe[] = [];
    const engine = await probeEngine((_config, _host, container) => {
      seen.push(container);
      const probe = container.resolve(Probe);
      made.push(probe);
      return probe;
    });
    await engine.notify(SCAN);
    await engine.notify(SCAN);
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[0]).not.toBe(rootContainer);
    for (const p of made) {
      expect(p.host).toBe(engine.host);
      expect(p.config).toBe(engine.config);
    }
    expect(rootContainer.isRegistered(TOKENS.Host)).toBe(false);
    expect(rootContainer.isRegistered(TOKENS.Config)).toBe(false);
  });

  it("createNotifier that returns no notifier is a plugin error naming the plugin", async () => {
    const engine = await probeEngine(() => undefined as never);
    const e = await engine.notify(SCAN).catch((x: unknown) => x);
    expect(isSocketNotifyError(e)).toBe(true);
    expect((e as Error).message).toBe('plugin "probe": createNotifier did not return a notifier');
  });

  it("a plugin module written for register(container, host) is refused with what replaced it", async () => {
    dir = await mkdtemp(join(tmpdir(), "plugin-host-"));
    await writeFile(
      join(dir, "old.mjs"),
      'export default { mode: "old", destinations() { return []; }, register() {} };\n',
    );
    const e = await loadPluginModules(["./old.mjs"], dir, "rc.json").catch((x: unknown) => x);
    expect((e as Error).message).toBe('rc.json: plugins[0]: "./old.mjs" exports no notifier plugin');
    expect((e as { hint?: string }).hint).toMatch(/register\(container, host\) is now createNotifier\(config, host\)/);
  });
});
