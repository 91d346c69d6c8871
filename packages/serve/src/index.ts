export {
  Dispatcher,
  type DispatcherOptions,
  deliveryKey,
  type Inbound,
  type InboundHandler,
  type InboundKind,
  type Reply,
  SeenSet,
} from "./dispatch.js";
export { answerProbe, HealthServer, type HealthServerOptions, type Readiness } from "./health.js";
export { DEFAULT_BODY_LIMIT, EVENTS_PATH, HttpReceiver, type HttpReceiverOptions } from "./http.js";
export { createLogger, type LogFields, type LogFormat, type LogLevel, type ServeLogger, silentLogger } from "./log.js";
export { SocketModeReceiver, type SocketModeOptions, SocketModeSetupError } from "./socket.js";
export { MAX_SKEW_SECONDS, type SignatureCheck, sign, verifySignature } from "./verify.js";
export { SlackApi, SlackApiError } from "./slack-api.js";
export {
  type Decision,
  type DecisionKind,
  type DecisionStore,
  type DecisionTarget,
  type NewDecision,
} from "./store.js";
export {
  DEFAULT_COMMAND,
  DEFAULT_MUTE_DAYS,
  describeDecision,
  TriageHandler,
  type TriageOptions,
} from "./triage-handler.js";
