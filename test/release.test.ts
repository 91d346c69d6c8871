/**
 * `npm run release`, tried as a new user would on a machine without this repository: the
 * tarballs are packed (scripts/release.mjs), installed into temporary directories with the
 * network off, and used from there. The CLI's tarball installs with an empty npm cache (it has
 * no dependencies); the libraries install with `npm ci --offline` from a lockfile cut from this
 * repository's (their dependencies' tarballs are in the npm cache `npm ci` filled).
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { type SlackEmulator, startEmulator } from "@socket-notify/slack-emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO, REPO, tempDir } from "./cli-harness.js";

const run = promisify(execFile);
// What must ship: every package of the workspace (the CLI has its own tarball).
const LIBRARIES = readdirSync(join(REPO, "packages")).filter((name) => name !== "cli");
const TSC = join(REPO, "node_modules/typescript/bin/tsc");

let tmp: Awaited<ReturnType<typeof tempDir>>;
let release: string;
let emulator: SlackEmulator;

/** npm with the network off (`--offline`: any request that is not in the cache fails). */
function npm(args: string[], cwd: string, extraEnv: Record<string, string> = {}) {
  return run("npm", [...args, "--offline", "--no-audit", "--no-fund"], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      npm_config_update_notifier: "false",
      ...extraEnv,
    },
    maxBuffer: 16 << 20,
  });
}

function exec(
  file: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    // A guard against a hung child, not a speed check: tsc on an installed project took 89 s at load 20.
    const guard = setTimeout(() => child.kill("SIGKILL"), 240_000);
    child.on("error", fail);
    child.on("close", (code) => (clearTimeout(guard), done({ code, stdout, stderr })));
  });
}

function tarball(name: string): string {
  const f = readdirSync(release).find((x) => x.startsWith(`socket-notify-${name}-`) && x.endsWith(".tgz"));
  if (!f) throw new Error(`release: no tarball for ${name}`);
  return join(release, f);
}

beforeAll(async () => {
  tmp = await tempDir("release-");
  release = tmp.path("release");
  await run(process.execPath, [join(REPO, "scripts/release.mjs"), "--out", release], {
    cwd: REPO,
    maxBuffer: 16 << 20,
  });
  emulator = await startEmulator({ rateLimit: false });
}, 240_000);
afterAll(async () => {
  await emulator?.close();
  await tmp?.cleanup();
});
beforeEach(() => emulator.reset());

// Generous: npm and fresh Node processes on a loaded 2-core machine.
const SLOW = { timeout: 120_000 };

describe("the tarballs", SLOW, () => {
  it("are the CLI and every library in packages/, each with README, LICENSE and repository/bugs, without build info, tests or fixtures", async () => {
    expect(LIBRARIES).toEqual(expect.arrayContaining(["core", "slack-bot", "discord", "state", "serve", "testing"]));
    expect(
      readdirSync(release)
        .filter((f) => f.endsWith(".tgz"))
        .sort(),
    ).toEqual(["cli", ...LIBRARIES].map((n) => `socket-notify-${n}-0.1.0.tgz`).sort());
    for (const name of ["cli", ...LIBRARIES]) {
      const { stdout } = await run("tar", ["tzf", tarball(name)]);
      const files = stdout.trim().split("\n");
      expect(files, name).toEqual(
        expect.arrayContaining(["package/README.md", "package/LICENSE", "package/package.json"]),
      );
      expect(
        files.filter((f) => /tsbuildinfo|\.test\.|fixture|\/src\//.test(f)),
        name,
      ).toEqual([]);
      const manifest = JSON.parse((await run("tar", ["xzfO", tarball(name), "package/package.json"])).stdout) as Record<
        string,
        unknown
      >;
      expect(manifest.repository, name).toMatchObject({ type: "git", url: expect.stringMatching(/^git\+https:\/\//) });
      expect(manifest.bugs, name).toMatchObject({ url: expect.stringMatching(/^https:\/\//) });
      expect(manifest.license, name).toBe("MIT");
    }
    expect(readFileSync(join(REPO, "LICENSE"), "utf8")).toMatch(/^MIT License/);
  });

  it("the CLI's has no dependencies: its bundle carries everything it runs", async () => {
    const manifest = JSON.parse((await run("tar", ["xzfO", tarball("cli"), "package/package.json"])).stdout) as Record<
      string,
      unknown
    >;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.bin).toEqual({ "socket-notify": "./dist/bin.cjs" });
  });
});

describe("the CLI tarball, installed offline with an empty npm cache", SLOW, () => {
  let bin: string;
  let shipped: string;
  beforeAll(async () => {
    const prefix = tmp.path("global");
    const cache = tmp.path("empty-cache");
    mkdirSync(cache);
    await npm(["install", "-g", "--prefix", prefix, "--cache", cache, tarball("cli")], tmp.dir);
    bin = join(prefix, "bin", "socket-notify");
    shipped = join(prefix, "lib", "node_modules", "@socket-notify", "cli", "examples", "demo");
  }, 120_000);

  it("--help", async () => {
    const r = await exec(bin, ["--help"], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage:");
    expect(r.stderr).toBe("");
  });

  it("send --dry-run with the examples shipped inside, and a YAML config (yaml is in the bundle)", async () => {
    const r = await exec(
      bin,
      [
        "send",
        join(shipped, "socket-report.json"),
        "--facts",
        join(shipped, "socket.facts.json"),
        "-c",
        join(shipped, "webhook.socketnotifyrc.json"),
        "--dry-run",
      ],
      { cwd: tmp.dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("dry run: nothing sent");
    const yaml = await tmp.write("notify.yaml", "url:\n  - name: sec\n    url: { env: HOOK }\n");
    const v = await exec(bin, ["validate", "-c", yaml], {
      cwd: tmp.dir,
      env: { HOOK: emulator.webhookUrl("security") },
    });
    expect(v.stderr).toBe("");
    expect(v.code).toBe(0);
    expect(v.stdout).toContain("valid · mode webhook");
  });

  it("sends to the Slack emulator (webhook and bot mode: the Slack SDK is in the bundle)", async () => {
    const report = join(shipped, "socket-report.json");
    const hook = await tmp.write("hook.json", { url: { env: "HOOK" } });
    const r = await exec(bin, ["send", report, "-c", hook], {
      cwd: tmp.dir,
      env: { HOOK: emulator.webhookUrl("security") },
    });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(emulator.messages({ hook: "security" }).length).toBeGreaterThan(0);
    const bot = await tmp.write("bot.json", {
      mode: "bot",
      bot_configs: [{ name: "sec", channels: ["security-alerts"] }],
    });
    const b = await exec(bin, ["send", report, "-c", bot], {
      cwd: tmp.dir,
      env: { SOCKET_SLACK_BOT_TOKEN: "xoxb-emulator-bot-token", SOCKET_SLACK_API_URL: emulator.apiUrl },
    });
    expect(b.code).toBe(0);
    expect(emulator.messages().filter((m) => m.channelName === "security-alerts").length).toBeGreaterThan(1);
  });

  it("goes through HTTPS_PROXY (undici, loaded only for a proxy, is in the bundle)", async () => {
    const config = await tmp.write("slack.json", { url: { env: "HOOK" } });
    const r = await exec(bin, ["send", join(shipped, "socket-report.json"), "-c", config, "--timeout", "5"], {
      cwd: tmp.dir,
      env: { HOOK: "https://hooks.slack.com/services/T0000/B0000/abcdefghijklmnop", HTTPS_PROXY: "http://127.0.0.1:9" },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("proxy_error: cannot reach the proxy http://127.0.0.1:9 (from HTTPS_PROXY)");
  });

  it("emulator: prints its URLs and stops on SIGTERM", async () => {
    const child = spawn(bin, ["emulator", "--port", "0", "--no-rate-limit"], {
      cwd: tmp.dir,
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    // Ready when both streams have said so: stdout and stderr are separate pipes, read in any order.
    const ready = new Promise<void>((done) => {
      const check = () =>
        stderr.includes("Press Ctrl-C") && /listening on http:\/\/127\.0\.0\.1:\d+/.test(stdout) && done();
      child.stdout.setEncoding("utf8").on("data", (c: string) => ((stdout += c), check()));
      child.stderr.setEncoding("utf8").on("data", (c: string) => ((stderr += c), check()));
    });
    const exited = new Promise<number | null>((done) => child.on("close", done));
    // A safety net only (a loaded machine may take its time to start Node).
    const guard = setTimeout(() => child.kill("SIGKILL"), 80_000);
    try {
      await ready;
      expect(stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(guard);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 100_000);

  it("demo: the example shipped inside the package, end to end", async () => {
    const r = await exec(bin, ["demo"], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("1. Webhook mode: examples/demo/webhook.socketnotifyrc.json");
    expect(r.stdout).toMatch(/^ {2}#security-alerts: \d+ messages?$/m);
    // Its "next steps" name the installed files, and no `npx`.
    expect(r.stdout).toContain(`socket-notify send ${join(relative(tmp.dir, shipped), "socket-report.json")}`);
    expect(r.stdout).not.toContain("npx");
  }, 90_000);

  it("also installs into an empty project, where npx --no-install runs it", async () => {
    const project = tmp.path("cli-project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), '{ "name": "ci-job", "private": true }\n');
    const cache = tmp.path("empty-cache-2");
    mkdirSync(cache);
    await npm(["install", "--cache", cache, tarball("cli")], project);
    const r = await exec("npx", ["--no-install", "socket-notify", "--version"], {
      cwd: project,
      env: { HOME: process.env.HOME ?? "", npm_config_offline: "true" },
    });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  }, 120_000);
});

describe("the library tarballs, installed together offline", SLOW, () => {
  let project: string;
  beforeAll(async () => {
    project = tmp.path("lib-project");
    mkdirSync(project);
    const deps: Record<string, string> = {};
    for (const n of LIBRARIES) deps[`@socket-notify/${n}`] = `file:${relative(project, tarball(n))}`;
    deps["@types/node"] = rootLock().packages["node_modules/@types/node"]!.version as string;
    const manifest = { name: "embedder", version: "1.0.0", private: true, type: "module", dependencies: deps };
    writeFileSync(join(project, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(join(project, "package-lock.json"), `${JSON.stringify(lockFor(manifest, project), null, 2)}\n`);
    await npm(["ci"], project);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          outDir: "out",
          skipLibCheck: false,
          types: ["node"],
        },
        include: ["*.ts"],
      }),
    );
    cpSync(join(DEMO, "socket-report.json"), join(project, "socket-report.json"));
    writeFileSync(
      join(project, "notify.json"),
      JSON.stringify({ url: [{ name: "security", url: { env: "SLACK_WEBHOOK_SECURITY" } }] }),
    );
  }, 180_000);

  it("the README's embedding example, pasted as it stands, type-checks (strict, NodeNext) and runs", async () => {
    const readme = readFileSync(join(REPO, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Embed the core"));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
    writeFileSync(join(project, "embed.ts"), snippet);
    // Every package's types, too, as a user's editor sees them.
    writeFileSync(
      join(project, "types.ts"),
      [
        'import { botPlugin } from "@socket-notify/slack-bot";',
        'import { startEmulator } from "@socket-notify/slack-emulator";',
        'import { runConformance, type ConformanceOptions } from "@socket-notify/testing";',
        'import { FakeClock } from "@socket-notify/core/testing";',
        'import { openStateStore } from "@socket-notify/state";',
        'import { verifySignature } from "@socket-notify/serve";',
        'import { truncate } from "@socket-notify/core/render";',
        "export const used: unknown[] = [botPlugin.mode, startEmulator, runConformance, FakeClock, openStateStore, verifySignature, truncate];",
        "export type Options = ConformanceOptions;",
        "",
      ].join("\n"),
    );
    const tsc = await exec(process.execPath, [TSC, "-p", project, "--pretty", "false"], { cwd: project });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
    const r = await exec(process.execPath, ["out/embed.js"], {
      cwd: project,
      env: { SLACK_WEBHOOK_SECURITY: emulator.webhookUrl("security") },
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(emulator.messages({ hook: "security" }).length).toBeGreaterThan(0);
    expect(JSON.stringify(emulator.messages({ hook: "security" })[0]!.payload)).toContain("acme/app");
  }, 300_000);

  it("examples/embedding type-checks (checkJs) and runs from there", async () => {
    const dir = join(project, "embedding");
    mkdirSync(dir);
    for (const f of ["notify-scan.js", "sample-scan.json"]) cpSync(join(REPO, "examples/embedding", f), join(dir, f));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          allowJs: true,
          checkJs: true,
          noEmit: true,
          types: ["node"],
        },
        include: ["*.js"],
      }),
    );
    const tsc = await exec(process.execPath, [TSC, "-p", dir, "--pretty", "false"], { cwd: dir });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
    const r = await exec(process.execPath, ["notify-scan.js", "sample-scan.json"], {
      cwd: dir,
      env: { SLACK_WEBHOOK_URL: emulator.webhookUrl("ops") },
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("3 alert(s) in the scan, 3 routed\n  default: sent, 3 alert(s) in 1/1 message(s)\n");
    expect(emulator.messages({ hook: "ops" })).toHaveLength(1);
  }, 300_000);
});

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [k: string]: unknown;
}

function rootLock(): { packages: Record<string, LockEntry> } {
  return JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
}

/**
 * A lockfile for `manifest`: the tarballs as `file:` entries, every other package as this
 * repository's lockfile has it (same version, tarball URL and integrity, same place in the tree),
 * so `npm ci --offline` needs no registry metadata, only the tarballs already in the npm cache.
 */
function lockFor(
  manifest: { name: string; version: string; dependencies: Record<string, string> },
  project: string,
): unknown {
  const source = rootLock().packages;
  const packages: Record<string, LockEntry> = {
    "": { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies },
  };
  const queue: { from: string; deps: Record<string, string> }[] = [];
  for (const [name, spec] of Object.entries(manifest.dependencies)) {
    if (!spec.startsWith("file:")) continue;
    const file = join(project, spec.slice(5));
    const pkg = JSON.parse(
      readFileSync(join(REPO, "packages", name.replace("@socket-notify/", ""), "package.json"), "utf8"),
    ) as LockEntry;
    const at = `node_modules/${name}`;
    const entry: LockEntry = {
      version: pkg.version!,
      resolved: spec,
      integrity: `sha512-${createHash("sha512").update(readFileSync(file)).digest("base64")}`,
    };
    for (const k of ["dependencies", "peerDependencies", "engines", "license"] as const)
      if (pkg[k]) (entry as Record<string, unknown>)[k] = pkg[k];
    packages[at] = entry;
    queue.push({ from: at, deps: { ...pkg.dependencies, ...pkg.peerDependencies } });
  }
  queue.push({
    from: "",
    deps: Object.fromEntries(Object.entries(manifest.dependencies).filter(([, s]) => !s.startsWith("file:"))),
  });
  while (queue.length) {
    const { from, deps } = queue.shift()!;
    for (const name of Object.keys(deps)) {
      if (name.startsWith("@socket-notify/")) continue;
      // Node's lookup: the nearest node_modules up the tree that has it.
      let at: string | undefined;
      for (
        let dir = from;
        ;
        dir = dir.includes("/node_modules/") ? dir.slice(0, dir.lastIndexOf("/node_modules/")) : ""
      ) {
        const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
        if (source[candidate]) {
          at = candidate;
          break;
        }
        if (!dir) break;
      }
      if (!at) continue; // an optional dependency for another platform
      if (packages[at]) continue;
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = source[at]!;
      packages[at] = entry;
      const optionalPeers = Object.keys(entry.peerDependencies ?? {}).filter(
        (p) => entry.peerDependenciesMeta?.[p]?.optional,
      );
      const peers = Object.fromEntries(
        Object.entries(entry.peerDependencies ?? {}).filter(([p]) => !optionalPeers.includes(p)),
      );
      queue.push({ from: at, deps: { ...entry.dependencies, ...entry.optionalDependencies, ...peers } });
    }
  }
  return { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages };
}
