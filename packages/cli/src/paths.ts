import { dirname } from "node:path";
import { UserError } from "@socket-notify/core";
// Synchronous calls: the CLI does one thing at a time here, and node:fs/promises would load
// ~2 ms of modules into every start (bench/README.md, figure 5).
import { mkdirSync, statSync, writeFileSync } from "node:fs";

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "EEXIST" || code === "ENOTDIR") return "a file is in the way";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT") return "no such directory";
  if (code === "EISDIR") return "it is a directory";
  return code ?? "cannot write";
}

/** `CMD --out FILE` (schema, preview): written, or a usage error naming the flag and why. */
export async function writeOutFile(path: string, given: string, text: string, command: string): Promise<void> {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UserError("usage", `${command}: --out ${given}: cannot write (${reason(e)})`, {
      hint: `give a file in an existing, writable directory, e.g. --out ${command === "schema" ? "config.schema.json" : "preview.html"}`,
    });
  }
}

/**
 * `--out DIR`, created before anything is sent: a path that cannot be a directory is a usage
 * error (exit 2) up front, not an internal error after Slack already got the messages.
 */
export async function prepareOutDir(path: string, given: string): Promise<void> {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new UserError("usage", `--out ${given}: cannot create the directory (${reason(e)})`, {
      hint: "pass a directory path (it is created if missing)",
    });
  }
}

/**
 * `--outbox FILE`, checked before anything is sent (without creating it): its directory must
 * exist and FILE, if present, must be a file. Otherwise undelivered messages would be lost at
 * the end of the run.
 */
export async function checkOutbox(path: string, given: string): Promise<void> {
  const hint = "pass a file path in an existing directory; undelivered messages are appended to it";
  try {
    const s = statSync(path);
    if (!s.isFile()) throw new UserError("usage", `--outbox ${given}: not a file`, { hint });
    return;
  } catch (e) {
    if (e instanceof UserError) throw e;
    if ((e as NodeJS.ErrnoException).code !== "ENOENT")
      throw new UserError("usage", `--outbox ${given}: cannot use it (${reason(e)})`, { hint });
  }
  try {
    const d = statSync(dirname(path));
    if (!d.isDirectory()) throw new Error("ENOTDIR");
  } catch {
    throw new UserError("usage", `--outbox ${given}: its directory does not exist`, { hint });
  }
}
