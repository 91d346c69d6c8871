/**
 * `@socket-notify/core/testing`: helpers for tests of core and of notifier plugins. No test
 * framework dependency: failures are thrown as plain `Error`s.
 */
export { FakeClock, type FakeClockOptions, type SleepRecord } from "./FakeClock.js";
export { expectNoSecrets, redactForDisplay, textOf } from "./secrets.js";
