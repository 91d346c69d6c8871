/**
 * Cross-process locks on one host: a lock is a file created with O_EXCL that holds its owner's
 * host, pid and a random token. Its owner refreshes its mtime while it holds it (a heartbeat),
 * so a lock is taken over when its owner is gone: a pid on this host that no longer runs
 * (kill -9), or a heartbeat older than the lease (an owner on another host of a shared disk).
 * Whether a pid runs, and removing held locks on process.exit(), are core's `lockFiles` (one copy,
 * shared with the outbox's lock files).
 */
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { lockFiles } from "@socket-notify/core/internal";
import { StateError } from "./errors.js";

interface Owner {
  host: string;
  pid: number;
  token: string;
}

function readOwner(path: string): { owner: Owner | undefined; mtimeMs: number } | undefined {
  try {
    const mtimeMs = statSync(path).mtimeMs;
    let owner: Owner | undefined;
    try {
      const o = JSON.parse(readFileSync(path, "utf8")) as Partial<Owner>;
      if (typeof o.host === "string" && typeof o.pid === "number" && typeof o.token === "string") owner = o as Owner;
    } catch {
      /* being written, or torn by a crash: judged by its age */
    }
    return { owner, mtimeMs };
  } catch {
    return undefined;
  }
}

function isStale(info: { owner: Owner | undefined; mtimeMs: number }, leaseMs: number): boolean {
  const o = info.owner;
  if (o && o.host === hostname() && o.pid !== process.pid && !lockFiles.alive(o.pid)) return true;
  return Date.now() - info.mtimeMs > leaseMs;
}

function tryCreate(path: string, owner: Owner): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

export interface FileLockOptions {
  waitMs: number;
  /** A holder whose heartbeat is older than this is gone. */
  leaseMs?: number;
  /** For the error: what is locked, e.g. `state file ./state.json`. */
  what: string;
}

/** Takes the lock (waiting up to `waitMs`) and returns its release function. */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<() => void> {
  const leaseMs = options.leaseMs ?? 30_000;
  const owner: Owner = { host: hostname(), pid: process.pid, token: randomBytes(8).toString("hex") };
  const until = Date.now() + options.waitMs;
  let delay = 5;
  for (;;) {
    if (tryCreate(path, owner)) break;
    const info = readOwner(path);
    if (info && isStale(info, leaseMs)) {
      // Remove it only if it is still the one judged stale (same token), not a new owner's.
      const again = readOwner(path);
      if (again && again.owner?.token === info.owner?.token && again.mtimeMs === info.mtimeMs) {
        try {
          unlinkSync(path);
        } catch {
          /* another waiter removed it first */
        }
      }
      continue;
    }
    if (Date.now() > until) {
      const who = info?.owner ? ` (pid ${info.owner.pid} on ${info.owner.host})` : "";
      throw new StateError("state_locked", `${options.what}: another socket-notify run holds its lock${who}`, {
        hint: `wait for it to finish; if no socket-notify is running, delete ${path}`,
      });
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
  lockFiles.held(path);
  const beat = setInterval(
    () => {
      try {
        const t = new Date();
        utimesSync(path, t, t);
      } catch {
        /* removed: release will notice nothing to do */
      }
    },
    Math.max(leaseMs / 3, 50),
  );
  beat.unref();
  return () => {
    clearInterval(beat);
    lockFiles.released(path);
    const info = readOwner(path);
    if (info?.owner?.token !== owner.token) return; // taken over (we were presumed dead): not ours
    try {
      unlinkSync(path);
    } catch {
      /* already gone */
    }
  };
}
