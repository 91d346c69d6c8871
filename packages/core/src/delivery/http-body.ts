/**
 * Bounded HTTP: every response body a notifier reads has a size cap and ends when its signal
 * fires, and every request is cut by a plain `AbortController`.
 *
 * Why not `AbortSignal.any` / `AbortSignal.timeout`: on Node 20, `fetch` keeps reading a body
 * when the abort arrives through `AbortSignal.any` (a 500 with an endless body then grows
 * memory without end), and a GC can collect an `AbortSignal.timeout` inside it before it fires.
 * A controller that a timer (or a listener on the parent) holds has neither problem.
 */

/** A response body longer than the cap: the connection is dropped, the request fails. */
export class ResponseTooLargeError extends Error {
  override name = "ResponseTooLargeError";
  /** Read by `classifyNetworkError`, like a Node error code. */
  readonly code = "RESPONSE_TOO_LARGE";
  constructor(readonly maxBytes: number) {
    super(`response body over ${maxBytes} bytes`);
  }
}

export interface BoundedBody {
  bytes: Uint8Array;
  /** The body went on past `maxBytes`: `bytes` is its start, the rest was not read. */
  truncated: boolean;
}

/**
 * Read at most `maxBytes` of a response body, then cancel it (which drops the connection):
 * a body that never ends costs `maxBytes`, not the process's memory. Rejects with the
 * signal's reason when it fires first (a body dripping slower than the request timeout).
 */
export async function readBoundedBody(res: Response, signal: AbortSignal, maxBytes: number): Promise<BoundedBody> {
  const body = res.body;
  if (!body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = body.getReader();
  // Cancelling ends a pending read() at once ({ done: true }); the check below tells it apart from the real end.
  const onAbort = () => void reader.cancel(signal.reason).catch(() => undefined);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      if (size + value.byteLength > maxBytes) {
        chunks.push(value.subarray(0, maxBytes - size));
        size = maxBytes;
        truncated = true;
        await reader.cancel().catch(() => undefined);
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { bytes, truncated };
}

/**
 * A signal that fires when `parent` does or after `timeoutMs`, whichever is first, from a plain
 * controller (see above). Call `done()` when the request is over, to clear the timer.
 */
export function requestSignal(
  parent: AbortSignal | AbortSignal[] | undefined,
  timeoutMs: number,
): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const parents = parent === undefined ? [] : Array.isArray(parent) ? parent : [parent];
  const listeners = parents.map((p) => [p, () => controller.abort(p.reason)] as const);
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no response within ${timeoutMs} ms`, "TimeoutError")),
    timeoutMs,
  );
  for (const [p, on] of listeners) {
    if (p.aborted) on();
    else p.addEventListener("abort", on, { once: true });
  }
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      for (const [p, on] of listeners) p.removeEventListener("abort", on);
    },
  };
}
