/**
 * One abort listener on each of a run's signals, however many waits and requests hang off them.
 *
 * Every key's pacing wait and every request in flight must end when the run stops (budget,
 * cancellation). Adding a listener per wait and per request to the run's signal itself put
 * 11+ listeners on one `AbortSignal` at the default concurrency of 10 (Node then prints
 * `MaxListenersExceededWarning` in the user's CI log), and more with more keys. Here each
 * parent gets one listener; a linked child is a plain `AbortController` in a set, released
 * (removed) when its wait or request is over.
 */
export class AbortFanout {
  private readonly children = new Set<AbortController>();
  private readonly listeners: (readonly [AbortSignal, () => void])[];
  private reason: { value: unknown } | undefined;

  constructor(parents: readonly AbortSignal[]) {
    this.listeners = parents.map((p) => [p, () => this.abort(p.reason)] as const);
    for (const [p, on] of this.listeners) {
      if (p.aborted) on();
      else p.addEventListener("abort", on, { once: true });
    }
  }

  private abort(reason: unknown): void {
    if (this.reason) return;
    this.reason = { value: reason };
    for (const c of this.children) c.abort(reason);
    this.children.clear();
  }

  /** A signal that aborts with the first parent; call `release` when it is no longer needed. */
  link(): { signal: AbortSignal; release: () => void } {
    const c = new AbortController();
    if (this.reason) c.abort(this.reason.value);
    else this.children.add(c);
    return { signal: c.signal, release: () => void this.children.delete(c) };
  }

  /** Remove the listeners from the parents (the end of the run). */
  dispose(): void {
    for (const [p, on] of this.listeners) p.removeEventListener("abort", on);
    this.children.clear();
  }
}
