#!/usr/bin/env node
import "reflect-metadata";
import { processIO } from "./io.js";
import { main } from "./main.js";

// Exit code via process.exitCode (not process.exit) so buffered stdout is flushed when piped.
process.exitCode = await main(process.argv.slice(2), processIO());
