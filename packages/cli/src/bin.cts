#!/usr/bin/env node
// CommonJS, and the CLI bundled into one CommonJS file: start-up time (bench/README.md, figure 5).
import loader = require("./bundle-loader.cjs");

async function run(): Promise<void> {
  // The bundle (scripts/bundle.mjs) starts several times faster; SOCKET_NOTIFY_NO_BUNDLE=1 runs
  // the unbundled modules instead (readable stack traces with --debug, or a tsc-only build).
  const cli: loader.CliModule =
    (process.env.SOCKET_NOTIFY_NO_BUNDLE ? undefined : loader.loadBundledCli(__dirname)) ??
    ((await import("./cli.js")) as loader.CliModule);
  // Exit code via process.exitCode (not process.exit) so buffered stdout is flushed when piped.
  process.exitCode = await cli.main(process.argv.slice(2), cli.processIO());
  // The report and outbox are written. Nothing a server does may keep the process alive after
  // that (a connection it keeps dripping into, a socket it never closes): the run ends within
  // its --timeout plus this grace, whatever the network does. Unref'd: a clean run exits at once.
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

const EXIT_GRACE_MS = 1000;

void run();
