/**
 * Incoming-webhook error strings and the HTTP status Slack sends with each. Slack answers
 * webhook errors with a plain-text body holding only the error string.
 *
 * Sources: the 2016 changelog "changes to errors for incoming webhooks" (400
 * invalid_payload, 400 user_not_found, 403 action_prohibited, 404 channel_not_found, 410
 * channel_is_archived, 500 rollup_error); 400 `invalid_blocks` (observed, see
 * slack-platform.md §1); `no_text` 400 like the other content errors; `no_service` 404 and
 * `invalid_token` 403 follow third-party code (the current page lists them without statuses).
 * The content errors are listed so a hook (or a fault) can be set to answer with them even
 * for a valid payload.
 */
export const WEBHOOK_ERROR_STATUS = {
  invalid_payload: 400,
  invalid_blocks: 400,
  no_text: 400,
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
