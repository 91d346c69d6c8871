import { isAbsolute, resolve } from "node:path";
import { describeEmulator, startEmulator, type EmulatorOptions } from "@socket-notify/slack-emulator";
import { UserError } from "@socket-notify/core";
import { type ParsedArgs } from "./args.js";
import { type CliIO, type Output, writeUnscrubbed } from "./io.js";

/** `socket-notify emulator`: the local Slack emulator in the foreground until SIGINT/SIGTERM. */
export async function runEmulator(args: ParsedArgs, io: CliIO, out: Output): Promise<number> {
  const options: EmulatorOptions = {};
  if (args.flags.port !== undefined) {
    const port = Number(args.flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UserError("usage", `--port: expected a port number 0–65535, got "${args.flags.port}"`, {
        hint: "e.g. --port 3999, or leave it out for a free port",
      });
    options.port = port;
  }
  if (args.flags.workspace !== undefined)
    options.workspace = isAbsolute(args.flags.workspace) ? args.flags.workspace : resolve(io.cwd, args.flags.workspace);
  const requestUrl = args.flags["request-url"];
  if (requestUrl !== undefined) {
    if (!/^https?:\/\/[^\s]+$/i.test(requestUrl) || !URL.canParse(requestUrl)) {
      throw new UserError("usage", "--request-url: expected an http:// or https:// URL", {
        hint: "e.g. --request-url http://127.0.0.1:3000/slack/events",
      });
    }
    options.requestUrl = requestUrl;
  }
  if (args.flags["no-rate-limit"]) {
    options.rateLimit = false;
    options.workspaceRateLimit = false;
  }
  let emu;
  try {
    emu = await startEmulator(options);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE")
      throw new UserError("usage", `--port ${options.port}: the port is in use`, {
        hint: "pick another port, or leave --port out",
      });
    if (err.name === "WorkspaceError")
      throw new UserError("config_invalid", err.message, {
        hint: "see the workspace file format in packages/slack-emulator/README.md",
      });
    throw e;
  }
  // Listening for the signals before saying "Press Ctrl-C": a caller that sends SIGTERM as soon
  // as it reads that line would otherwise kill the process before the handler is there.
  const stopped = new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  // The emulator's tokens and hook URLs are fake and open nothing else: print them in full.
  writeUnscrubbed(io, describeEmulator(emu));
  out.err(`Live view: ${emu.url}/ (open it in a browser). Press Ctrl-C to stop.`);
  await stopped;
  await emu.close();
  return 0;
}
