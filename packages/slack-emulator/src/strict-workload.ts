/**
 * The strict-pacing workload (issue 15 §3), in one place for the test that checks it
 * (test/strict-pacing.test.ts: 0 × 429) and the bench that times it (bench figure 7): a
 * workspace of channels and incoming webhooks for the emulator in strict mode
 * (`rateLimit: "strict"`: 1 message/s per channel and per webhook, burst 1, at arrival), a report
 * that gives each destination `perKey` messages, and the bot and webhook configs that fan it out.
 */
import { type EmulatorOptions } from "./server.js";
import { type ChannelSpec, type HookSpec } from "./workspace.js";

export interface StrictWorkloadOptions {
  /** Channels, for bot mode (posted to by ID). @default 10 */
  readonly channels?: number;
  /** Incoming webhooks, one per channel, for webhook mode (at most `channels`). @default channels */
  readonly hooks?: number;
}

export interface StrictWorkload {
  /** Emulator options: strict limiter, no workspace cap, this workload's workspace. */
  readonly emulator: EmulatorOptions;
  readonly channels: readonly ChannelSpec[];
  readonly hooks: readonly HookSpec[];
  /** Messages each destination gets from `report` (a message holds 46 one-alert package entries). */
  readonly perKey: number;
  /** 60 packages with one alert each, as the Socket CLI's `--enable-json` report. */
  readonly report: Record<string, unknown>;
  /** The socket-notify config for bot mode: one route to every channel, by ID. */
  botConfig(apiUrl: string): Record<string, unknown>;
  /** The socket-notify config for webhook mode: every webhook by its emulator URL. */
  webhookConfig(webhookUrl: (name: string) => string): Record<string, unknown>;
}

/** One high-severity npm alert (the Socket CLI's report shape) for package `name`: what the strict workloads send. */
export function strictAlert(name: string): Record<string, unknown> {
  return {
    pkg_type: "npm",
    pkg_name: name,
    pkg_version: "1.0.0",
    type: "networkAccess",
    severity: "high",
    title: "Network access",
    description: "This package accesses the network.",
    props: {},
    error: false,
    warn: true,
  };
}

const TOKEN = "xoxb-strict-workload-token";
const PACKAGES = 60;

export function strictWorkload(options: StrictWorkloadOptions = {}): StrictWorkload {
  const n = options.channels ?? 10;
  const channels = Array.from({ length: n }, (_, i) => ({
    id: `C0000007${String(i).padStart(3, "0")}`,
    name: `strict-${i + 1}`,
    members: ["bot"],
  }));
  const hooks = channels.slice(0, options.hooks ?? n).map((c, i) => ({
    name: `strict-hook-${i + 1}`,
    id: `B07${String(i).padStart(3, "0")}`,
    secret: `strictworkloadhooksecret${String(i).padStart(3, "0")}`,
    channel: c.name,
  }));
  const alerts = Array.from({ length: PACKAGES }, (_, i) => strictAlert(`strict-pkg-${String(i).padStart(2, "0")}`));
  return {
    emulator: {
      rateLimit: "strict",
      workspaceRateLimit: false,
      workspace: {
        team: { id: "T0007", name: "strict" },
        channels,
        tokens: [{ token: TOKEN, user: "bot", scopes: ["chat:write", "channels:read"] }],
        hooks,
      },
    },
    channels,
    hooks,
    perKey: 2,
    report: { scan_failed: false, repo: "acme/app", branch: "main", new_alerts: alerts },
    botConfig: (apiUrl) => ({
      mode: "bot",
      bot_token: TOKEN,
      slack_api_url: apiUrl,
      bot_configs: [{ name: "all", channels: channels.map((c) => c.id) }],
    }),
    webhookConfig: (webhookUrl) => ({
      mode: "webhook",
      url: hooks.map((h) => ({ name: h.name, url: webhookUrl(h.name) })),
    }),
  };
}
