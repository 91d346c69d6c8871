/* Engines */
export { decisionId, FileStore, inForce, type StoreOptions } from "./FileStore.js";
export { isDatabaseUrl, openStateStore } from "./open.js";
/* Documents */
export { FORMAT, parseDocument, SCHEMA_VERSION } from "./document.js";
/* Errors */
export { StateError, type StateErrorCode } from "./errors.js";
/* Identity and decisions */
export {
  alertFingerprint,
  describeTarget,
  parsePackageTarget,
  parseScopeKey,
  scopeInRepo,
  type ScopeKeyParts,
  scopeKey,
  seenAlert,
  seenMatches,
  targetMatches,
} from "./identity.js";
/* Contract */
export {
  DECISION_KINDS,
  type Decision,
  type DecisionKind,
  type DecisionTarget,
  type ImportResult,
  type LivingMessage,
  type LockOptions,
  type NewDecision,
  type PutResult,
  type ScopeRecord,
  type ScopeWrite,
  type SeenAlert,
  type StateDocument,
  type StateStore,
} from "./types.js";
