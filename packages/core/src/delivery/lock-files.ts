/**
 * What every lock file of socket-notify shares: the outbox's (outbox-file.ts) and the state
 * store's (@socket-notify/state's lock-file.ts). A lock file names its owner's pid, so a lock
 * whose owner is gone (kill -9) can be taken over; and the locks a process holds are removed
 * when it exits through process.exit() (a second signal), which runs no `finally`.
 */
import { unlinkSync } from "node:fs";

const held = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const p of held) {
      try {
        unlinkSync(p);
      } catch {
        /* already gone */
      }
    }
  });
}

export const lockFiles = {
  /** This process holds the lock file `path`: remove it if the process exits holding it. */
  held(path: string): void {
    installExitHook();
    held.add(path);
  },
  /** Released (or taken over by another process): no longer ours to remove. */
  released(path: string): void {
    held.delete(path);
  },
  /** Whether `pid` still runs on this host (EPERM: it runs, as another user). */
  alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "EPERM";
    }
  },
};
