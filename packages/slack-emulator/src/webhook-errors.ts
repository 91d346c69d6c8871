/**
 * Incoming-webhook error strings and the HTTP status Slack sends with each. Slack answers
 * webhook errors with a plain-text body holding only the error string.
 *
 * Sources: the 2016 changelog "changes to errors for incoming webhooks" (400
 * invalid_payload, 400 user_not_found, 403 action_prohibited, 404 channel_not_found, 410
 * channel_is_archived, 500 rollup_error); `no_service` 404 and `invalid_token` 403 follow
 * third-party code (the current page lists them without statuses).
 */
export const WEBHOOK_ERROR_STATUS = {
  action_prohibited: 403,
  channel_not_found: 404,
  no_service: 404,
  channel_is_archived: 410,
  invalid_token: 403,
  user_not_found: 400,
  rollup_error: 500,
} as const;

/** An error a hook can be configured to answer with (workspace `hooks[].error`). */
export type HookErrorCode = keyof typeof WEBHOOK_ERROR_STATUS;

export const HOOK_ERROR_CODES = Object.keys(WEBHOOK_ERROR_STATUS) as readonly HookErrorCode[];

export function isHookErrorCode(value: unknown): value is HookErrorCode {
  return typeof value === "string" && Object.hasOwn(WEBHOOK_ERROR_STATUS, value);
}
