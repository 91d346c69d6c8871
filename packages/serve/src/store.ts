/**
 * What the receiver needs of the state store: decisions with who/why/until, an "applied once"
 * claim per interaction across replicas, a named lock so two replicas never edit one message
 * from stale copies, and the living messages' alerts (`scopes`, for `status`). The types are state's own:
 * `import type` loads nothing at run time, so this package does not load the store's engines
 * (the CLI opens the store and hands it in).
 */
import type { StateStore } from "@socket-notify/state";

export type { Decision, DecisionKind, DecisionTarget, NewDecision } from "@socket-notify/state";

export type DecisionStore = Pick<
  StateStore,
  "claim" | "withLock" | "addDecision" | "removeDecision" | "decisions" | "scopes"
>;
