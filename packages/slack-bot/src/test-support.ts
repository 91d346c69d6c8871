// Test-only helpers, shared with the webhook notifier's tests (one copy, not two).
export * from "../../slack-webhook/src/test-support.js";
