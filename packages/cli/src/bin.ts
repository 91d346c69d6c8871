#!/usr/bin/env node
import "reflect-metadata";
import { processIO } from "./io.js";
import { main } from "./main.js";

// `socket-notify … | head`: the reader went away; stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// Exit code via process.exitCode (not process.exit) so buffered stdout is flushed when piped.
process.exitCode = await main(process.argv.slice(2), processIO());
