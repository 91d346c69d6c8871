/**
 * The outbox file on disk. Several runs may use one outbox at once (a matrix of CI jobs
 * appending, a `retry` rewriting), and any of them may be killed at any moment, so:
 *
 * - Every change happens under a lock file (`FILE.lock`, created with O_EXCL, holding the
 *   owner's pid). A lock whose owner is gone (killed with SIGKILL) is taken over.
 * - An append writes each record (one JSON line, newline included) with one write() on an
 *   O_APPEND descriptor, then fsyncs. Earlier lines are never touched; a crash can at worst
 *   leave the last line incomplete, and the next append first ends such a line, so it never
 *   glues onto it. (One write() per line is not atomic for regular files in general, which is
 *   why the lock, not the write size, is what keeps two runs' lines apart.)
 * - `retry` rewrites by writing a temp file, fsyncing it and renaming it over the outbox, so
 *   a reader sees the old file or the new one, never half of one. Under the lock it re-reads
 *   the file and removes only the lines it read and handled: lines other runs appended while
 *   it was sending are kept.
 * - Two `retry`s of one outbox at once would both send its messages: the second one refuses
 *   (`FILE.retry.lock`).
 *
 * Synchronous on purpose: a signal handler (Node runs it between JavaScript tasks) can never
 * run in the middle of a record's write, and the CLI exits on a second signal right away.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { checkRegularFile, type ReadLimits, readRegularFile } from "../input/read-file.js";
import { dirname } from "node:path";
import { UserError } from "../errors.js";
import { lockFiles } from "./lock-files.js";

function ownerPid(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The lock's owner is gone (or it never got to write its pid, a while ago): take it over. */
function stale(lockPath: string): boolean {
  const pid = ownerPid(lockPath);
  if (pid !== undefined) return pid !== process.pid && !lockFiles.alive(pid);
  try {
    return Date.now() - statSync(lockPath).mtimeMs > 5_000;
  } catch {
    return true;
  }
}

function tryLock(lockPath: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    if (!stale(lockPath)) return false;
    try {
      unlinkSync(lockPath);
    } catch {
      /* another process took it over first */
    }
    return false;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  lockFiles.held(lockPath);
  return true;
}

function unlock(lockPath: string): void {
  lockFiles.released(lockPath);
  try {
    unlinkSync(lockPath);
  } catch {
    /* already gone */
  }
}

function lockError(path: string, lockPath: string, what: string): UserError {
  const pid = ownerPid(lockPath);
  return new UserError("input_unreadable", `${path}: ${what}${pid ? ` (pid ${pid})` : ""}`, {
    file: path,
    hint: `wait for it to finish; if no socket-notify is running, delete ${lockPath}`,
  });
}

/** Run `fn` holding FILE.lock; waits up to `waitMs` for another run to finish its change. */
export async function withOutboxLock<T>(path: string, fn: () => T | Promise<T>, waitMs = 15_000): Promise<T> {
  const lockPath = `${path}.lock`;
  const until = Date.now() + waitMs;
  while (!tryLock(lockPath)) {
    if (Date.now() > until) throw lockError(path, lockPath, "another socket-notify run keeps the outbox locked");
    await new Promise((r) => setTimeout(r, 20));
  }
  try {
    return await fn();
  } finally {
    unlock(lockPath);
  }
}

/** For the whole of a `retry`: refuses when another retry of the same outbox is running. Returns the release function. */
export async function claimOutboxForRetry(path: string, source = path): Promise<() => void> {
  // Checked before a lock file is made beside it: `retry /dev/zero` must not create /dev/zero.retry.lock.
  await checkRegularFile(path, OUTBOX_LIMITS, source);
  const lockPath = `${path}.retry.lock`;
  // A stale claim is removed by the first try; the second one takes it.
  if (!tryLock(lockPath) && !tryLock(lockPath))
    throw lockError(path, lockPath, "another socket-notify retry of this outbox is running");
  return () => unlock(lockPath);
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  // One write() per record; a short write (disk full, a signal on some file systems) continues where it stopped.
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
}

/** Append records (each one line ending in a newline) to the outbox, under its lock. */
export async function appendOutboxLines(path: string, records: readonly string[]): Promise<void> {
  if (!records.length) return;
  await withOutboxLock(path, () => {
    const fd = openSync(path, "a", 0o600);
    try {
      const size = fstatSync(fd).size;
      if (size > 0) {
        // A line a killed run left without its newline: end it, so the next record stands alone.
        const last = Buffer.alloc(1);
        const rfd = openSync(path, "r");
        try {
          readSync(rfd, last, 0, 1, size - 1);
        } finally {
          closeSync(rfd);
        }
        if (last[0] !== 0x0a) writeAll(fd, "\n");
      }
      for (const r of records) writeAll(fd, r);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/** What `retry` reads: a regular file, capped like every other file a run is given (read-file.ts). */
const OUTBOX_LIMITS: ReadLimits = {
  what: "the outbox",
  maxBytes: 256 * 1024 * 1024,
  hint: "pass the file given to send --outbox",
};

/** The outbox's text, read under its lock: a snapshot no append is halfway through. */
export async function readOutboxFile(path: string, source = path): Promise<string> {
  await checkRegularFile(path, OUTBOX_LIMITS, source);
  return withOutboxLock(path, () => readRegularFile(path, OUTBOX_LIMITS, source));
}

/**
 * Replace the lines `handled` (as read before; each removed once) with `records`, keeping every
 * other line, in particular those appended since. Atomic: temp file, fsync, rename.
 */
export async function rewriteOutbox(
  path: string,
  handled: readonly string[],
  records: readonly string[],
): Promise<void> {
  await withOutboxLock(path, () => {
    let current = "";
    try {
      current = readFileSync(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    const remove = new Map<string, number>();
    for (const l of handled) remove.set(l, (remove.get(l) ?? 0) + 1);
    const kept: string[] = [];
    for (const line of current.split("\n")) {
      if (!line.trim()) continue;
      const n = remove.get(line);
      if (n) remove.set(line, n - 1);
      else kept.push(`${line}\n`);
    }
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeAll(fd, [...kept, ...records].join(""));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    try {
      // The rename itself is durable once the directory is synced (best effort: not every FS allows it).
      const d = openSync(dirname(path), "r");
      try {
        fsyncSync(d);
      } finally {
        closeSync(d);
      }
    } catch {
      /* not supported here */
    }
  });
}
