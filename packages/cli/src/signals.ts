/**
 * SIGINT/SIGTERM during `send` and `retry` (a CI job cancelled or timed out, Ctrl-C). The first
 * one is handed to the command, which stops starting new requests, lets those in flight finish
 * within a grace period, saves and reports what was not delivered and exits 130/143. A second
 * one exits at once: the outbox stays valid (each record is one synchronous write, and a
 * signal handler runs only between JavaScript tasks, never inside one).
 */
export type StopSignal = "SIGINT" | "SIGTERM";

/** 128 + the signal number, as shells report a process killed by it. */
export const SIGNAL_EXIT_CODE: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** Listen for the first SIGINT/SIGTERM; a second exits the process at once. Returns the unsubscribe. */
export function onStopSignal(handler: (signal: StopSignal) => void): () => void {
  let first: StopSignal | undefined;
  const listener = (s: StopSignal) => () => {
    if (first) process.exit(SIGNAL_EXIT_CODE[s]);
    first = s;
    handler(s);
  };
  const int = listener("SIGINT");
  const term = listener("SIGTERM");
  process.on("SIGINT", int);
  process.on("SIGTERM", term);
  return () => {
    process.off("SIGINT", int);
    process.off("SIGTERM", term);
  };
}
