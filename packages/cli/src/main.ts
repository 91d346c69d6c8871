import { isAbsolute, join, resolve } from "node:path";
import {
  createEngine,
  type DeliveryProgress,
  isSocketNotifyError,
  type MessageOutcome,
  readFactsFile,
  readScanFile,
  reportExitCode,
  type ScanContext,
  silentLogger,
  type SocketNotifyEngine,
  UserError,
  VERSION,
} from "@socket-notify/core";
import {
  buildConfigSchema,
  createHost,
  appendOutboxLines,
  claimOutboxForRetry,
  DEFAULT_GRACE_MS,
  forgeFromRepoUrl,
  messagesFromOutbox,
  optionsShape,
  outboxEntries,
  outboxEntryOf,
  OutboxSigner,
  parseOutboxLines,
  readOutboxFile,
  retryLeftovers,
  rewriteOutbox,
  enrichScan,
  serializeOutbox,
} from "@socket-notify/core/internal";
import { toJSONSchema } from "zod/mini";
import { shownAddress } from "./address.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { SIGNAL_EXIT_CODE, type StopSignal } from "./signals.js";
import { checkOutbox, prepareOutDir, writeOutFile } from "./paths.js";
import { BUILTIN_PLUGINS } from "./builtins.js";
import { HELP, parseCli, type ParsedArgs, secondsFlag } from "./args.js";
import { contextFromCiEnv } from "./ci-env.js";
import { type CliIO, Output, routeProcessWarnings } from "./io.js";
import { cliLogger } from "./logger.js";
import { describeFilter, EXCLUDED_EXAMPLES, renderPlan, renderReport } from "./render.js";
import { renderStateReport, stateLocation } from "./state-location.js";
// `import type`: a plain import would load the store (and its dependencies) on every send.
import type { StateReport } from "./state-send.js";

/**
 * Runs the CLI and returns its exit code: 0 delivered (or nothing to send), 1 a destination
 * failed, 2 bad input, config or usage. Never throws and never calls process.exit, so tests
 * run it in-process.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const out = new Output(io);
  if (io.processStreams) routeProcessWarnings(out);
  const debug = argv.includes("--debug");
  try {
    const args = parseCli(argv);
    switch (args.command) {
      case "version":
        out.out(VERSION);
        return 0;
      case "help": {
        const topic = args.positionals[0];
        if (topic !== undefined && HELP[topic] === undefined) {
          throw new UserError("usage", `help: no command "${topic}"`, {
            hint: "run socket-notify --help for the commands",
          });
        }
        out.outBlock(HELP[topic ?? "main"]!);
        return 0;
      }
      case "send":
        return await send(args, io, out);
      case "validate":
        return await validate(args, io, out);
      case "schema":
        return await schema(args, io, out);
      case "retry":
        return await retry(args, io, out);
      case "emulator":
        // The emulator (and the demo, which runs one) load only when asked for: start-up time.
        return await (await import("./emulator.js")).runEmulator(args, io, out);
      case "serve":
        // The receiver (ws, the state store) loads only for serve: start-up time of every other command.
        return await (await import("./serve.js")).runServe(args, io, out, (a, i, o, q) => loadEngine(a, i, o, q));
      case "demo":
        return await (await import("./demo.js")).runDemo(io, out);
      case "preview":
        return await preview(args, io, out);
      case "mute":
      case "unmute":
      case "mutes":
      case "state": {
        const commands = await import("./state-commands.js");
        const run = {
          mute: commands.mute,
          unmute: commands.unmute,
          mutes: commands.mutes,
          state: commands.stateCommand,
        };
        return await run[args.command](args, io, out);
      }
    }
  } catch (e) {
    return reportError(e, out, debug);
  }
}

function reportError(e: unknown, out: Output, debug: boolean): number {
  if (isSocketNotifyError(e)) {
    out.err(`socket-notify: error: ${oneLine(e.message)}`);
    if (e.hint) out.err(`  hint: ${oneLine(e.hint)}`);
    if (debug && e.stack) out.errBlock(e.stack);
    return e.exitCode;
  }
  const err = e as Error;
  out.err(`socket-notify: internal error: ${oneLine(err?.message ?? String(e))}`);
  out.errBlock(
    debug && err?.stack
      ? err.stack
      : "  hint: this is a bug in socket-notify; run again with --debug for the stack trace and report it",
  );
  return 1;
}

function readErrorText(code: string | undefined): string {
  return code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (code ?? "read error");
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ").trim();
}

interface Common {
  engine: SocketNotifyEngine;
  logger: ReturnType<typeof cliLogger>;
}

async function loadEngine(
  args: ParsedArgs,
  io: CliIO,
  out: Output,
  quiet: boolean,
  sendsNothing = false,
): Promise<Common> {
  const logger = cliLogger(out, { quiet, debug: args.flags.debug === true });
  const options: Parameters<typeof createEngine>[0] = {
    env: io.env,
    cwd: io.cwd,
    plugins: BUILTIN_PLUGINS,
    logger,
    allowCodeConfig: args.flags["allow-code-config"] === true,
    // A dry run or validate on a laptop need not have the CI secrets: warn, don't fail.
    missingSecrets: sendsNothing ? "warn" : "error",
  };
  if (args.flags.config !== undefined) options.configPath = abs(io, args.flags.config);
  const engine = await createEngine(options);
  out.extraScrub = (t) => engine.host.scrub(t);
  return { engine, logger };
}

function abs(io: CliIO, p: string): string {
  return isAbsolute(p) ? p : resolve(io.cwd, p);
}

function progressReporter(out: Output, quiet: boolean): (p: DeliveryProgress) => void {
  let lastLogged = 0;
  return (p) => {
    const done = p.sent + p.failed;
    const line = `sending: ${p.sent}/${p.total} sent${p.failed ? `, ${p.failed} failed` : ""}${p.rateLimited ? ` · waiting on a Slack rate limit (${p.rateLimited})` : ""}`;
    if (out.isTTY) out.progress(line);
    else if (!quiet && (p.event || done === p.total || done - lastLogged >= 10)) {
      // CI logs: a plain line now and then, and every rate-limit wait.
      lastLogged = done;
      out.err(p.event ? `sending: ${p.event}` : line);
    }
  };
}

/** The first SIGINT/SIGTERM of a `send` or `retry`: aborts `signal`; the command finishes up and exits 130/143. */
interface Cancellation {
  signal: AbortSignal;
  received(): StopSignal | undefined;
  dispose(): void;
}

function cancellation(io: CliIO, out: Output, outbox: string | undefined): Cancellation {
  const ac = new AbortController();
  let received: StopSignal | undefined;
  const dispose =
    io.onStopSignal?.((s) => {
      received = s;
      out.err(
        `socket-notify: ${s}: starting nothing new; requests in flight get up to ${DEFAULT_GRACE_MS / 1000} s, then what was not delivered is ${outbox ? `saved to ${outbox}` : "reported"} (a second signal exits at once)`,
      );
      ac.abort();
    }) ?? (() => undefined);
  return { signal: ac.signal, received: () => received, dispose };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Signs outbox entries with a key from this config's secrets (see OutboxSigner). */
function signerFor(engine: SocketNotifyEngine, env: Record<string, string | undefined>): OutboxSigner | undefined {
  return OutboxSigner.fromSecrets(
    engine.host.secrets.filter((x) => !x.missing).map((x) => x.reveal()),
    env,
  );
}

function undelivered(outcomes: MessageOutcome[]): MessageOutcome[] {
  return outcomes.filter((o) => !o.ok && !o.duplicateOf);
}

async function send(args: ParsedArgs, io: CliIO, out: Output): Promise<number> {
  const f = args.flags;
  const cancel = cancellation(io, out, f.outbox);
  try {
    return await sendCommand(args, io, out, cancel);
  } finally {
    cancel.dispose();
  }
}

async function sendCommand(args: ParsedArgs, io: CliIO, out: Output, cancel: Cancellation): Promise<number> {
  const f = args.flags;
  const quiet = f.quiet === true || f.json === true;
  const inputArg = args.positionals[0];
  if (inputArg === undefined) {
    throw new UserError("usage", "send: no scan report given", {
      hint: "pass the file the Socket CLI wrote with --enable-json (socket-notify send report.json), or - to read stdin",
    });
  }
  const budget = secondsFlag("timeout", f.timeout);
  const requestTimeout = secondsFlag("request-timeout", f["request-timeout"]);
  const { engine, logger } = await loadEngine(args, io, out, quiet, f["dry-run"] === true);
  const read = await readScanFile(inputArg === "-" ? "-" : abs(io, inputArg), {
    strictBlocking: f["strict-blocking"] === true,
  });
  const facts = f.facts !== undefined ? await readFactsFile(abs(io, f.facts)) : undefined;
  const input = facts ? enrichScan(read, facts) : read;
  const context = scanContext(input.context, io.env, f);
  // Before anything is sent: a bad --out/--outbox path is a usage error, not a loss after the fact.
  if (f.out !== undefined) await prepareOutDir(abs(io, f.out), f.out);
  if (f.outbox !== undefined) await checkOutbox(abs(io, f.outbox), f.outbox);

  const options: Parameters<SocketNotifyEngine["run"]>[1] = {
    context,
    dryRun: f["dry-run"] === true,
    onProgress: progressReporter(out, quiet),
    signal: cancel.signal,
  };
  // A dry run shows a few excluded alerts of each reason (--verbose: every one of them).
  if (f["dry-run"]) {
    if (f.verbose) options.excludedSample = Number.MAX_SAFE_INTEGER;
    else options.excludedPerRule = EXCLUDED_EXAMPLES;
  }
  if (budget !== undefined) options.budgetMs = budget * 1000;
  if (requestTimeout !== undefined) options.requestTimeoutMs = requestTimeout * 1000;
  const where = stateLocation(io.env, io.cwd, {
    state: engine.config.state,
    baseDir: engine.source.baseDir,
    host: engine.host,
  });
  let stateReport: StateReport | undefined;
  let result: Awaited<ReturnType<SocketNotifyEngine["run"]>>;
  if (where) {
    // Loaded only with state: a stateless run's start-up is unchanged.
    const { openStateStore, runWithState } = await import("./state-send.js");
    const store = await openStateStore(where.value);
    // On PostgreSQL, concurrent sends (other CI jobs) share each channel's and webhook's pace.
    if (store.engine === "postgres") options.sharedPace = store;
    try {
      const r = await runWithState(engine, store, input, options);
      stateReport = r.state;
      result = r;
    } finally {
      await store.close();
    }
  } else result = await engine.run(input, options);
  const { plan, outcomes } = result;
  const report = stateReport ? { ...result.report, state: stateReport } : result.report;
  out.clearProgress();
  for (const w of stateReport?.warnings ?? []) logger.warn(w);
  for (const w of report.warnings) logger.warn(w);

  const stoppedBy = cancel.received();
  const lost = undelivered(outcomes);
  const maybeThere = lost.filter((o) => o.possibleDuplicate).length;
  const dupNote = maybeThere ? ` (${maybeThere} may already be in Slack: a request was sent and not answered)` : "";
  if (f.outbox !== undefined) {
    const entries = outboxEntries(
      report.mode,
      outcomes,
      (t) => engine.host.scrub(t),
      new Date(),
      signerFor(engine, io.env),
    );
    if (entries.length) {
      try {
        await appendOutboxLines(
          abs(io, f.outbox),
          entries.map((e) => serializeOutbox([e])),
        );
        if (!quiet || stoppedBy)
          out.err(
            `${stoppedBy ? `socket-notify: cancelled by ${stoppedBy}: ` : ""}${plural(entries.length, "undelivered message")} written to ${f.outbox}${dupNote}: re-send with socket-notify retry ${f.outbox}`,
          );
      } catch (e) {
        // Still print the report below: what was delivered and what was not.
        const why = isSocketNotifyError(e) ? oneLine(e.message) : ((e as NodeJS.ErrnoException).code ?? "write error");
        out.err(
          `socket-notify: error: --outbox ${f.outbox}: cannot write (${why}); ${entries.length} undelivered message${entries.length === 1 ? " was" : "s were"} not saved`,
        );
      }
    }
  } else if (stoppedBy && lost.length) {
    out.err(
      `socket-notify: cancelled by ${stoppedBy}: ${lost.length} of ${plural(outcomes.length, "message")} not delivered${dupNote}; they are not saved: pass --outbox FILE next time to keep them, then re-send with socket-notify retry FILE`,
    );
  }
  if (f.out !== undefined) await writeOutDir(abs(io, f.out), plan, report);

  if (f.json)
    out.outBlock(
      JSON.stringify(
        stoppedBy
          ? { ...report, cancelled: { signal: stoppedBy, undelivered: lost.length, possible_duplicates: maybeThere } }
          : report,
        null,
        2,
      ),
    );
  else if (!f.quiet) {
    for (const l of renderReport(report, plan)) out.out(l);
    if (stateReport) for (const l of renderStateReport(stateReport, report.dry_run)) out.out(l);
    if (report.dry_run && plan.enabled) for (const l of renderPlan(plan, f.verbose === true)) out.out(l);
  } else {
    // --quiet prints only errors: a destination that failed is one (else exit 1 comes unexplained).
    for (const d of report.destinations.filter((x) => x.status === "failed")) {
      out.err(
        `socket-notify: error: ${d.route === d.target ? d.route : `${d.route} → ${d.target}`}: ${d.delivered}/${d.messages} delivered${d.error ? `: ${d.error.code}: ${oneLine(d.error.message)}` : ""}`,
      );
      if (d.error?.hint) out.err(`  hint: ${oneLine(d.error.hint)}`);
    }
  }
  if (input.scanFailed && !quiet)
    out.err(
      "note: the Socket scan reported scan_failed: true (its policy blocks this change); socket-notify's exit code is about delivery only",
    );
  return stoppedBy ? SIGNAL_EXIT_CODE[stoppedBy] : reportExitCode(report);
}

/** Report first, CI variables only where the report is silent, flags over both. */
export function scanContext(
  fromInput: ScanContext,
  env: Record<string, string | undefined>,
  f: ParsedArgs["flags"],
): ScanContext {
  const ci = contextFromCiEnv(env);
  const ctx: ScanContext = { ...fromInput };
  for (const k of ["repo", "branch", "pr", "commitSha", "runUrl"] as const) if (!ctx[k] && ci[k]) ctx[k] = ci[k];
  // The CI's forge hosts the repository the job checked out: link it unless the report names another.
  if (!ctx.forge && ci.forge && (!fromInput.repo || !ci.repo || fromInput.repo.toLowerCase() === ci.repo.toLowerCase()))
    ctx.forge = ci.forge;
  if (f.repo) {
    // --repo as a forge URL links like a report's URL does (core's parse); a plain name keeps the forge found above.
    const fromUrl = forgeFromRepoUrl(f.repo);
    ctx.repo = fromUrl?.repo ?? f.repo;
    if (fromUrl) ctx.forge = fromUrl.forge;
  }
  if (f.branch) ctx.branch = f.branch;
  if (f.pr) ctx.pr = f.pr.trim().replace(/^#/, "");
  if (f.sha) ctx.commitSha = f.sha;
  return ctx;
}

async function writeOutDir(
  dir: string,
  plan: Awaited<ReturnType<SocketNotifyEngine["run"]>>["plan"],
  report: unknown,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
  let n = 0;
  for (const d of plan.destinations) {
    for (const m of d.messages) {
      n++;
      const safe = d.destination.route.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 60);
      // The payload exactly as it is sent (Block Kit, or the notifier's own format, named);
      // the destination by name, never its URL.
      const sent = m.native ? { format: m.native.format, payload: m.native.body } : { payload: m.payload };
      writeFileSync(
        join(dir, `${String(n).padStart(3, "0")}-${safe}-${m.index}-of-${m.count}.json`),
        `${JSON.stringify({ route: d.destination.route, target: d.destination.target, ...sent }, null, 2)}\n`,
      );
    }
  }
}

/** `preview`: the page of what `send` would post, from the engine's plan (nothing is sent). */
async function preview(args: ParsedArgs, io: CliIO, out: Output): Promise<number> {
  const f = args.flags;
  const inputArg = args.positionals[0];
  if (inputArg === undefined)
    throw new UserError("usage", "preview: no scan report given", {
      hint: "socket-notify preview socket-report.json --out preview.html (- reads stdin)",
    });
  if (f.out !== undefined && f.open)
    throw new UserError("usage", "preview: --out and --open together", {
      hint: "--out FILE writes the page there; --open writes it to a private temporary file and opens it",
    });
  const { engine, logger } = await loadEngine(args, io, out, f.quiet === true, true);
  const read = await readScanFile(inputArg === "-" ? "-" : abs(io, inputArg), {
    strictBlocking: f["strict-blocking"] === true,
  });
  const input = f.facts !== undefined ? enrichScan(read, await readFactsFile(abs(io, f.facts))) : read;
  const options: Parameters<SocketNotifyEngine["plan"]>[1] = { context: scanContext(input.context, io.env, f) };
  const plan = engine.plan(input, options);
  for (const w of plan.warnings) logger.warn(w);
  const p = await import("./preview.js");
  const scrub = (t: string) => engine.host.scrub(t);
  // The page names destinations by route and target only; scrubbed all the same, as every output is.
  const shown = { input: inputArg === "-" ? "stdin" : inputArg, config: f.config ?? plan.source.label };
  // Paths in warnings relative to where the user is, as they typed them (a page is often shared).
  const relativePaths = (w: string) => w.split(`${io.cwd.replace(/\/$/, "")}/`).join("");
  const html = scrub(
    p.previewPage(
      plan,
      shown,
      plan.warnings.map((w) => relativePaths(scrub(w))),
    ),
  );
  if (f.out === undefined && !f.open) {
    out.outBlock(html);
    return 0;
  }
  const path = f.out !== undefined ? abs(io, f.out) : p.openTarget();
  await writeOutFile(path, f.out ?? path, html, "preview");
  const messages = plan.destinations.reduce((n, d) => n + d.messages.length, 0);
  const what = `${plural(messages, "message")} to ${plural(plan.destinations.length, "destination")}`;
  if (f.open && (await p.openInBrowser(path, io.env))) out.err(`preview: ${what}: opened ${path}`);
  else if (f.open) out.out(`preview: ${what}: no browser opener (xdg-open/open) found; open ${path}`);
  else if (!f.quiet) out.err(`preview: ${what}: wrote ${f.out}`);
  return 0;
}

async function validate(args: ParsedArgs, io: CliIO, out: Output): Promise<number> {
  const { engine } = await loadEngine(args, io, out, true, true);
  if (args.flags.facts !== undefined) await readFactsFile(abs(io, args.flags.facts));
  const warnings = engine.validationWarnings(args.flags.facts !== undefined);
  if (args.flags.json) {
    out.outBlock(
      JSON.stringify(
        {
          valid: true,
          source: engine.source.label,
          mode: engine.mode,
          // The resolved config as loaded, with every secret of the run replaced by its redacted form.
          config: JSON.parse(engine.host.scrub(JSON.stringify(engine.config))) as unknown,
          enabled: engine.config.enabled !== false,
          destinations: engine.destinations.map((d) => ({
            route: d.route,
            target: d.target,
            address: shownAddress(d),
            config_path: d.configPath,
            filter: d.filter,
          })),
          warnings,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  out.out(
    `${engine.source.label}: valid · mode ${engine.mode}${engine.config.enabled === false ? " · enabled: false (sends nothing)" : ""}`,
  );
  for (const d of engine.destinations) {
    const filters = describeFilter(d.filter);
    const where = shownAddress(d);
    const dest =
      d.route === d.target
        ? `${d.route}${where ? ` → ${where}` : ""}`
        : `${d.route} → ${d.target}${where ? ` (${where})` : ""}`;
    out.out(`  ${dest}  [${filters}]`);
  }
  if (!engine.destinations.length) out.out("  (no destinations: nothing would be sent)");
  for (const w of warnings) out.err(`warning: ${w}`);
  return 0;
}

async function schema(args: ParsedArgs, io: CliIO, out: Output): Promise<number> {
  let plugins = BUILTIN_PLUGINS;
  if (args.flags.config !== undefined) plugins = (await loadEngine(args, io, out, true, true)).engine.plugins;
  const host = createHost({ env: {}, configSource: "schema", logger: silentLogger });
  const s = buildConfigSchema(plugins.map((p) => optionsShape(p, host)));
  const json = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "socket-notify config",
    ...(toJSONSchema(s, { io: "input", unrepresentable: "any" }) as object),
  };
  const text = `${JSON.stringify(json, null, 2)}`;
  if (args.flags.out !== undefined) {
    await writeOutFile(abs(io, args.flags.out), args.flags.out, `${text}\n`, "schema");
  } else out.outBlock(text);
  return 0;
}

async function retry(args: ParsedArgs, io: CliIO, out: Output): Promise<number> {
  const cancel = cancellation(io, out, args.positionals[0]);
  let release: (() => void) | undefined;
  try {
    return await retryCommand(args, io, out, cancel, (r) => (release = r));
  } finally {
    release?.();
    cancel.dispose();
  }
}

async function retryCommand(
  args: ParsedArgs,
  io: CliIO,
  out: Output,
  cancel: Cancellation,
  claimed: (release: () => void) => void,
): Promise<number> {
  const f = args.flags;
  const quiet = f.quiet === true || f.json === true;
  const file = args.positionals[0];
  if (file === undefined)
    throw new UserError("usage", "retry: no outbox file given", {
      hint: "socket-notify retry FILE, where FILE was written by send --outbox FILE",
    });
  const path = abs(io, file);
  const dryRun = f["dry-run"] === true;
  let text: string;
  try {
    // Claimed for the whole retry: a second retry of the same outbox at once would send it twice.
    if (!dryRun) claimed(await claimOutboxForRetry(path, file));
    text = await readOutboxFile(path, file);
  } catch (e) {
    if (isSocketNotifyError(e)) throw e;
    throw new UserError(
      "input_unreadable",
      `${file}: cannot read the outbox (${readErrorText((e as NodeJS.ErrnoException).code)})`,
      { file, hint: "pass the file given to send --outbox" },
    );
  }
  const parsed = parseOutboxLines(text, file);
  const entries = parsed.entries.map((x) => x.entry);
  const budget = secondsFlag("timeout", f.timeout);
  const requestTimeout = secondsFlag("request-timeout", f["request-timeout"]);
  const { engine } = await loadEngine(args, io, out, quiet);
  if (parsed.incomplete.length)
    out.err(
      `warning: ${file}: ${plural(parsed.incomplete.length, "incomplete line")} (a run crashed while writing it): no message in it; ${dryRun ? "ignored" : "removed"}`,
    );
  const { messages, orphans, untrusted, changed } = messagesFromOutbox(
    entries,
    engine.mode,
    engine.destinations,
    signerFor(engine, io.env),
  );
  for (const o of orphans)
    out.err(
      `warning: ${file}: ${o.route} → ${o.target} (${o.mode}) is not a destination of the current config; kept in the outbox`,
    );
  if (untrusted.length) {
    out.err(
      `warning: ${file}: ${untrusted.length} of ${plural(messages.length, "message")} not signed by socket-notify with this config's secrets (written by something else, edited, or signed before a secret changed): re-sent with links as plain text and no mentions`,
    );
  }
  for (const c of changed.filter((x) => !untrusted.includes(x.entry)))
    out.err(`warning: ${file}: ${c.entry.route} → ${c.entry.target} message ${c.entry.index}: ${c.changes.join(", ")}`);
  const maybeThere = messages.filter((m) => outboxEntryOf(m)?.possible_duplicate).length;
  if (maybeThere && !f.quiet)
    out.err(
      `note: ${maybeThere} of ${plural(messages.length, "message")} may already be in Slack (a request was sent and not answered): re-sending may show ${maybeThere === 1 ? "it" : "them"} twice`,
    );
  if (dryRun || !messages.length) {
    // --json keeps stdout JSON (same shape as a real retry), --quiet keeps it empty.
    if (f.json) {
      const results = messages.map((m) => ({
        route: m.destination.route,
        target: m.destination.target,
        index: m.index,
        status: "dry-run",
        ...(outboxEntryOf(m)?.possible_duplicate ? { possible_duplicate: true } : {}),
      }));
      out.outBlock(
        JSON.stringify(
          {
            delivered: 0,
            failed: 0,
            orphans: orphans.length,
            possible_duplicates: maybeThere,
            untrusted: untrusted.length,
            results,
          },
          null,
          2,
        ),
      );
    } else if (!f.quiet) {
      out.out(
        `${messages.length} message${messages.length === 1 ? "" : "s"} to re-send${orphans.length ? `, ${orphans.length} without a destination` : ""}${dryRun ? " (dry run)" : ""}`,
      );
    }
    return orphans.length ? 1 : 0;
  }
  const options: Parameters<SocketNotifyEngine["deliver"]>[2] = {
    onProgress: progressReporter(out, quiet),
    signal: cancel.signal,
  };
  if (budget !== undefined) options.budgetMs = budget * 1000;
  if (requestTimeout !== undefined) options.requestTimeoutMs = requestTimeout * 1000;
  // Prepared before the messages are made (a bot's channel names → IDs), so they go to the
  // destinations as they are; the warnings above were about the same entries.
  const prepared = await engine.prepare(options, [...new Set(messages.map((m) => m.destination))]);
  let outcomes: MessageOutcome[];
  try {
    const ready = messagesFromOutbox(entries, engine.mode, prepared.destinations, signerFor(engine, io.env));
    outcomes = await engine.deliver(prepared, ready.messages, options);
  } finally {
    prepared.close();
  }
  out.clearProgress();
  const stoppedBy = cancel.received();
  const still = retryLeftovers(engine.mode, outcomes, (t) => engine.host.scrub(t), signerFor(engine, io.env));
  // Replace exactly the lines this retry read with what is still undelivered (orphans kept as they
  // were); lines other runs appended meanwhile stay. Running retry again is always safe.
  const handled = parsed.entries.map((x) => x.line);
  handled.push(...parsed.incomplete);
  const orphanLines = parsed.entries.filter((x) => orphans.includes(x.entry)).map((x) => `${x.line}\n`);
  await rewriteOutbox(path, handled, [...orphanLines, ...still.map((e) => serializeOutbox([e]))]);
  const delivered = outcomes.filter((o) => o.ok).length;
  if (f.json) {
    out.outBlock(
      JSON.stringify(
        {
          delivered,
          failed: still.length,
          orphans: orphans.length,
          possible_duplicates: maybeThere,
          untrusted: untrusted.length,
          ...(stoppedBy ? { cancelled: { signal: stoppedBy, undelivered: still.length } } : {}),
          results: outcomes.map((o) => ({
            route: o.message.destination.route,
            target: o.message.destination.target,
            index: o.message.index,
            status: o.ok ? "sent" : "failed",
            ...(o.possibleDuplicate || outboxEntryOf(o.message)?.possible_duplicate
              ? { possible_duplicate: true }
              : {}),
            ...(o.failure ? { error: { code: o.failure.code, message: engine.host.scrub(o.failure.message) } } : {}),
          })),
        },
        null,
        2,
      ),
    );
  } else if (!f.quiet) {
    out.out(
      `socket-notify retry: ${delivered}/${messages.length} delivered${still.length ? `, ${still.length} still failing (kept in ${file})` : ""}`,
    );
    for (const o of outcomes.filter((x) => !x.ok)) {
      out.out(
        `  ✗ ${o.message.destination.route} → ${o.message.destination.target} message ${o.message.index}: ${o.failure?.code}: ${engine.host.scrub(o.failure?.message ?? "")}`,
      );
      if (o.failure?.hint) out.out(`      hint: ${engine.host.scrub(o.failure.hint)}`);
    }
  } else if (still.length) {
    out.err(`socket-notify: error: retry: ${still.length} of ${messages.length} still failing (kept in ${file})`);
  }
  if (stoppedBy) {
    out.err(
      `socket-notify: cancelled by ${stoppedBy}: ${delivered}/${messages.length} delivered; ${plural(still.length, "message")} kept in ${file}: run socket-notify retry ${file} again`,
    );
    return SIGNAL_EXIT_CODE[stoppedBy];
  }
  return still.length || orphans.length ? 1 : 0;
}
