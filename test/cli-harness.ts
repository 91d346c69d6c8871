/**
 * Shared by the CLI end-to-end tests (test/cli-*.test.ts): runs the BUILT binary
 * (packages/cli/dist/bin.cjs) as a child process with a controlled environment, the way a CI
 * job runs it, and gives the tests temp dirs, small scan reports and the emulator's secrets.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type SlackEmulator } from "@socket-notify/slack-emulator";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(REPO, "packages/cli/dist/bin.cjs");
export const DEMO = join(REPO, "examples/demo");
export const FIXTURES = process.env.SOCKET_FIXTURES!;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to a minimal environment (PATH only): no CI variables, no SOCKET_SLACK_CONFIG_JSON. */
  env?: Record<string, string>;
  cwd?: string;
  /** Written to the child's stdin (then closed); stdin is empty otherwise. */
  stdin?: string;
  /** Kill the child after this many ms (a safety net, not an assertion). */
  killAfterMs?: number;
}

/** `node packages/cli/dist/bin.cjs ...args`, as a user (or CI job) runs it; never a TTY. */
export function runCli(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.killAfterMs ?? 25_000);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(options.stdin ?? "");
  });
}

/** Non-empty lines of a stream's output. */
export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

/** A fresh temp dir per test file; `cleanup()` in afterAll. */
export async function tempDir(prefix = "cli-e2e-"): Promise<{
  dir: string;
  path: (...p: string[]) => string;
  write: (name: string, data: unknown) => Promise<string>;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return {
    dir,
    path: (...p) => join(dir, ...p),
    async write(name, data) {
      const p = join(dir, name);
      await writeFile(p, typeof data === "string" ? data : `${JSON.stringify(data, null, 2)}\n`);
      return p;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Every credential of the emulator's default workspace: none may appear in output or files. */
export function emulatorSecrets(emu: SlackEmulator): string[] {
  return [
    ...emu.workspace.hooks.map((h) => h.secret),
    ...emu.workspace.hooks.map((h) => emu.webhookUrl(h.name)),
    ...emu.workspace.tokens.map((t) => t.token),
  ];
}

/** A Socket CLI Issue (reference §2.1) with a package name the tests can look for in Slack payloads. */
export function issue(
  type: string,
  severity: string,
  pkg: string,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    pkg_type: "npm",
    pkg_name: pkg,
    pkg_version: "1.0.0",
    type,
    severity,
    title: `${type} in ${pkg}`,
    description: `${pkg} does ${type}`,
    props: {},
    purl: `${pkg}@1.0.0`,
    url: `https://socket.dev/npm/package/${pkg}/overview/1.0.0`,
    introduced_by: [["direct", "package.json"]],
    manifests: "package.json",
    error: severity === "critical",
    warn: severity !== "critical",
    ...over,
  };
}

/** Four alerts, one per severity, each with its own package name. */
export const ALERTS = [
  issue("malware", "critical", "evil-pkg"),
  issue("didYouMean", "high", "lodahs"),
  issue("networkAccess", "middle", "chatty-lib"),
  issue("envVars", "low", "env-peeker"),
];

/** A Socket CLI `--enable-json` report (reference §2.3). */
export function enableJsonReport(
  newAlerts: unknown[] = ALERTS,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    scan_failed: false,
    full_scan_id: "scan-cli-1",
    repo: "acme/web",
    branch: "main",
    commit_sha: "5efacb1a00000000000000000000000000000000",
    report_url: "https://socket.dev/dashboard/org/acme/sbom/scan-cli-1",
    new_alerts: newAlerts,
    ...over,
  };
}

/** The text of everything a channel (or hook) received, for "which package went where". */
export function received(emu: SlackEmulator, filter: { channel?: string; hook?: string }): string {
  return emu
    .messages(filter)
    .map((m) => JSON.stringify(m.payload))
    .join("\n");
}

/** Environment for configs that name emulator hooks as {"env": "HOOK_<NAME>"}. */
export function emulatorHookEnv(emu: SlackEmulator, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [`HOOK_${n.toUpperCase()}`, emu.webhookUrl(n)]));
}

/** Environment for bot mode against the emulator: its bot token and Web API URL. */
export function emulatorBotEnv(emu: SlackEmulator): Record<string, string> {
  return { SOCKET_SLACK_BOT_TOKEN: "xoxb-emulator-bot-token", SOCKET_SLACK_API_URL: emu.apiUrl };
}
