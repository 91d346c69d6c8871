export {
  type BotAddress,
  botDestinations,
  botOptionsSchema,
  type BotSettings,
  botSettings,
  API_URL_ENV,
  CHANNEL_ID,
  DEFAULT_API_URL,
  TOKEN_ENV,
} from "./options.js";
export { botPlugin, botPlugin as default } from "./plugin.js";
export {
  allowedFor,
  type InteractiveConfig,
  interactiveSchema,
  MUTE_REASONS,
  SNOOZE_CHOICES,
  TRIAGE_ACTIONS,
  type TriageAction,
  type TriageTarget,
  targetOfBlock,
  triageBlock,
  triageFingerprint,
  triageTarget,
} from "./triage.js";
