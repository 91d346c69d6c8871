import { existsSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createEngine,
  MemoryLogger,
  enrichScan,
  readFactsFile,
  readScanFile,
  reportExitCode,
  UserError,
} from "@socket-notify/core";
import { messageLines } from "@socket-notify/preview";
import { type EmulatorRecord, startEmulator } from "@socket-notify/slack-emulator";
import { type CliIO, type Output } from "./io.js";
import { BUILTIN_PLUGINS } from "./builtins.js";
import { renderReport, summariseReasons } from "./render.js";

/**
 * The example the demo runs: `examples/demo` inside the installed package (the release tarball
 * ships it next to `dist/`), else the repository's (the CLI runs from `packages/cli/dist`).
 */
function demoDir(): { dir: string; repo?: string } {
  const shipped = fileURLToPath(new URL("../examples/demo/", import.meta.url));
  if (existsSync(`${shipped}socket-report.json`)) return { dir: shipped };
  const repo = fileURLToPath(new URL("../../../", import.meta.url));
  const dir = join(repo, "examples", "demo", "/");
  if (!existsSync(`${dir}socket-report.json`)) {
    throw new UserError("input_unreadable", `demo: the bundled example is missing (${dir})`, {
      hint: "run the demo from a clone of the socket-notify repository",
    });
  }
  return { dir, repo };
}

/**
 * How the user runs the CLI from `cwd`, as a command to paste. An installed package has
 * `socket-notify` on PATH. A clone does not: inside it, `npx --no-install` finds the root
 * package.json's bin (and never fetches a package of that name from the registry); outside it, only
 * the built file itself runs.
 */
function cliCommand(cwd: string, repo: string | undefined): string {
  if (!repo) return "socket-notify";
  const fromRepo = relative(repo, cwd);
  if (!fromRepo.startsWith("..") && !isAbsolute(fromRepo)) return "npx --no-install socket-notify";
  return `node ${shellWord(join(repo, "packages", "cli", "dist", "bin.cjs"))}`;
}

/** A path as one POSIX shell word (a clone may live under a directory with spaces). */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

const MAX_PREVIEW_LINES = 14;

/**
 * `npm start`: the bundled Socket report (with reachability facts) through webhook mode and
 * bot mode into an in-process Slack emulator, showing what arrived in each channel. Real HTTP,
 * real rate limits (1 message/s per channel and per webhook), no Slack workspace needed.
 */
export async function runDemo(io: CliIO, out: Output): Promise<number> {
  const { dir, repo } = demoDir();
  const emu = await startEmulator({});
  try {
    out.out(`socket-notify demo — the bundled example, end to end, against a local Slack emulator on ${emu.url}`);
    out.out(`Live view: ${emu.url}/  (open it in a browser to watch the messages arrive, as Slack shows them)`);
    out.outBlock(
      `Input: examples/demo/socket-report.json (a Socket CLI --enable-json report) + socket.facts.json (reachability)\n`,
    );
    const input = enrichScan(
      await readScanFile(`${dir}socket-report.json`),
      await readFactsFile(`${dir}socket.facts.json`),
    );
    const runs = [
      {
        title: "1. Webhook mode: examples/demo/webhook.socketnotifyrc.json",
        config: `${dir}webhook.socketnotifyrc.json`,
        env: {
          DEMO_WEBHOOK_SECURITY: emu.webhookUrl("security"),
          DEMO_WEBHOOK_OPS: emu.webhookUrl("ops"),
          DEMO_WEBHOOK_DEV: emu.webhookUrl("dev"),
        },
        note: "",
      },
      {
        title: "2. Bot mode: examples/demo/bot.socketnotifyrc.json",
        config: `${dir}bot.socketnotifyrc.json`,
        env: { SOCKET_SLACK_BOT_TOKEN: "xoxb-emulator-bot-token", SOCKET_SLACK_API_URL: emu.apiUrl },
        note: 'The "archive" route posts to #old-alerts, which is archived in the emulator\'s workspace: it shows how a failure is reported (exit code 1 in a real run) while every other destination still gets its messages.',
      },
    ];
    let unexpected = 0;
    for (const run of runs) {
      // Not reset between runs: the live view keeps both runs' messages; each run lists its own.
      const since = emu.records().length;
      const own = (records: EmulatorRecord[]) => records.filter((r) => r.seq > since);
      out.out(`${run.title}`);
      const logger = new MemoryLogger();
      const engine = await createEngine({
        configPath: run.config,
        env: run.env,
        plugins: BUILTIN_PLUGINS,
        logger,
        cwd: dir,
      });
      const started = Date.now();
      const { plan, report } = await engine.run(input, {
        onProgress: (p) =>
          out.progress(`sending: ${p.sent}/${p.total}${p.rateLimited ? " · waiting on a rate limit" : ""}`),
      });
      out.clearProgress();
      for (const l of renderReport(report, plan)) out.out(l);
      out.out(
        `  (${((Date.now() - started) / 1000).toFixed(1)} s, paced at Slack's 1 message per second per channel; ${own(emu.records()).filter((r) => r.status === 429).length} × HTTP 429)`,
      );
      for (const d of plan.destinations)
        if (d.excluded.count)
          out.out(
            `    ${d.destination.route}: ${d.excluded.count} not routed here: ${summariseReasons(d.excluded.reasons)}`,
          );
      out.out("");
      out.out("  What arrived in Slack (as recorded by the emulator):");
      const byChannel = new Map<string, EmulatorRecord[]>();
      for (const m of own(emu.messages())) {
        const k = `#${m.channelName ?? m.channel}`;
        byChannel.set(k, [...(byChannel.get(k) ?? []), m]);
      }
      for (const [channel, msgs] of byChannel) {
        out.out(`  ${channel}: ${msgs.length} message${msgs.length === 1 ? "" : "s"}`);
        for (const m of msgs) {
          const blocks = (m.payload.blocks as never[] | undefined) ?? [];
          out.out(`   ┌ ${m.threadTs ? `thread reply to ${m.threadTs}` : "message"} · ${blocks.length} blocks`);
          // mrkdwn as the terminal can show it: bold as bold on a TTY, plain text otherwise.
          const lines = messageLines({ blocks, text: m.payload.text });
          for (const l of lines.slice(0, MAX_PREVIEW_LINES)) out.outSpans("   │ ", l);
          if (lines.length > MAX_PREVIEW_LINES) out.out(`   │ … ${lines.length - MAX_PREVIEW_LINES} more lines`);
          out.out("   └");
        }
      }
      if (run.note) out.outBlock(`\n  Note: ${run.note}`);
      const failed = report.destinations.filter((d) => d.status === "failed").map((d) => d.route);
      if (reportExitCode(report) !== 0 && !(failed.length === 1 && failed[0] === "archive")) unexpected++;
      out.out("");
    }
    out.out("Next steps:");
    // Commands to paste where the demo ran: paths as this machine has them (a clone or the
    // installed package), and the CLI as it runs from here (`npm start` in a clone has no
    // `socket-notify` on PATH).
    const cli = cliCommand(io.cwd, repo);
    const shown = relative(io.cwd, dir) || ".";
    const at = (f: string) => shellWord(join(shown.startsWith("..") ? dir : shown, f));
    out.out(
      `  ${cli} send ${at("socket-report.json")} --facts ${at("socket.facts.json")} --config ${at("webhook.socketnotifyrc.json")} --dry-run`,
    );
    out.out(
      `  ${cli} emulator    # this emulator in the foreground: webhook URLs, API URL and tokens to point a config at`,
    );
    // On a terminal the emulator stays up for its page; in a pipe or CI the demo just ends.
    if (io.stdout.isTTY && io.onStopSignal) {
      out.out("");
      out.out(`Live view of every message above: ${emu.url}/  (Ctrl-C stops the emulator)`);
      await new Promise<void>((done) => {
        const stop = io.onStopSignal!(() => {
          stop();
          done();
        });
      });
    } else {
      out.out(`  live view (while the demo ran): ${emu.url}/; ${cli} emulator keeps one running`);
    }
    return unexpected ? 1 : 0;
  } finally {
    await emu.close();
  }
}
