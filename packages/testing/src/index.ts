/**
 * @socket-notify/testing: what a notifier plugin author needs to test a plugin — the Slack
 * emulator, a loopback HTTP sink, a fake clock, a secret-leak check and a conformance suite.
 */

/* Conformance */
export { type ConformanceCheck, type ConformanceOptions, type RequestSummary, runConformance } from "./conformance.js";
/* Clock and secret checks (from @socket-notify/core/testing) */
export {
  expectNoSecrets,
  FakeClock,
  type FakeClockOptions,
  redactForDisplay,
  type SleepRecord,
  textOf,
} from "@socket-notify/core/testing";
/* Scans */
export { syntheticScan, syntheticScanJson, type SyntheticScanOptions } from "./scan.js";
/* HTTP sink */
export { type HttpSink, type SinkOptions, type SinkRequest, type SinkResponse, startSink } from "./sink.js";
/* Slack emulator */
export {
  defaultWorkspace,
  type EmulatorOptions,
  type EmulatorRecord,
  type FaultSpec,
  type MessageFilter,
  type SlackEmulator,
  startEmulator,
  type WorkspaceSpec,
} from "@socket-notify/slack-emulator";
/* From core, for convenience */
export { MemoryLogger } from "@socket-notify/core";
