/**
 * What the receiver needs of the state store: decisions with who/why/until, an "applied once"
 * claim per interaction across replicas, and a named lock so two replicas never edit one message
 * from stale copies. @socket-notify/state's StateStore (both engines) has all of it; the shapes
 * are repeated here so this package does not load the store's engines.
 */
export type DecisionKind = "mute" | "ack" | "snooze";

export interface DecisionTarget {
  ecosystem?: string;
  namespace?: string;
  name?: string;
  version?: string;
  type?: string;
  repo?: string;
  fingerprint?: string;
}

export interface Decision {
  id: string;
  kind: DecisionKind;
  target: DecisionTarget;
  by: string;
  at: string;
  reason?: string;
  until?: string;
}

export type NewDecision = Omit<Decision, "id" | "at"> & { id?: string; at?: string };

export interface DecisionStore {
  claim(id: string, ttlMs: number): Promise<boolean>;
  withLock<T>(name: string, fn: () => Promise<T>, options?: { waitMs?: number }): Promise<T>;
  addDecision(decision: NewDecision): Promise<Decision>;
  removeDecision(id: string): Promise<Decision | undefined>;
  decisions(options?: { includeExpired?: boolean; now?: number }): Promise<Decision[]>;
}
