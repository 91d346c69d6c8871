/**
 * `socket-notify serve`: the Slack app process that acts on the buttons and the slash command of
 * alert messages. Socket Mode by default (outbound WebSocket only), `--http` for the Events API
 * behind a load balancer. Needs `interactive` in the config and a state store (`state` /
 * SOCKET_NOTIFY_STATE) shared with `send`. SIGINT/SIGTERM: stop taking, finish in-flight, exit 0.
 */
import { type PluginHost, UserError } from "@socket-notify/core";
import { type SecretRef } from "@socket-notify/core/internal";
import {
  createLogger,
  Dispatcher,
  HealthServer,
  HttpReceiver,
  type LogFormat,
  SlackApi,
  SocketModeReceiver,
  SocketModeSetupError,
  TriageHandler,
} from "@socket-notify/serve";
import { botSettings, type InteractiveConfig } from "@socket-notify/slack-bot";
import { openStateStore } from "@socket-notify/state";
import { type ParsedArgs } from "./args.js";
import { type CliIO, type Output } from "./io.js";

export const APP_TOKEN_ENV = "SOCKET_SLACK_APP_TOKEN";
export const SIGNING_SECRET_ENV = "SOCKET_SLACK_SIGNING_SECRET";
export const STATE_ENV = "SOCKET_NOTIFY_STATE";

type LoadEngine = (
  args: ParsedArgs,
  io: CliIO,
  out: Output,
  quiet: boolean,
) => Promise<{ engine: { config: Record<string, unknown>; host: PluginHost } }>;

function need(io: CliIO, name: string, what: string, hint: string): string {
  const v = io.env[name]?.trim();
  if (!v) throw new UserError("token_missing", `serve: ${name} is not set (${what})`, { hint });
  return v;
}

/** Starts a server; a port in use is a usage error naming the flag. */
async function listening(start: () => Promise<unknown>, flag: string, port: number): Promise<void> {
  try {
    await start();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE")
      throw new UserError("usage", `--${flag} ${port}: the port is in use`, { hint: "pick another port" });
    throw e;
  }
}

export async function runServe(args: ParsedArgs, io: CliIO, out: Output, loadEngine: LoadEngine): Promise<number> {
  const format = (args.flags["log-format"] ?? "plain") as LogFormat;
  if (format !== "json" && format !== "plain")
    throw new UserError("usage", `--log-format: expected json or plain, got "${String(format).slice(0, 20)}"`, {
      hint: "--log-format json writes one JSON object per line",
    });
  const http = args.flags.http === true;
  const healthFlag = args.flags["health-port"];
  if (http && healthFlag !== undefined)
    throw new UserError("usage", "serve: --health-port goes with Socket Mode", {
      hint: "with --http, /healthz and /readyz are on --port, beside /slack/events",
    });
  if (!http && args.flags.port !== undefined)
    throw new UserError("usage", "serve: --port goes with --http", {
      hint: "Socket Mode listens nowhere for Slack; --health-port N serves its /healthz and /readyz",
    });
  if (!http && healthFlag === undefined && args.flags.host !== undefined)
    throw new UserError("usage", "serve: --host goes with --http or --health-port", {
      hint: "Socket Mode listens nowhere for Slack; --health-port N serves its /healthz and /readyz",
    });
  const portOf = (flag: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new UserError("usage", `--${flag}: expected a port number 0–65535, got "${value.slice(0, 20)}"`, {
        hint: `e.g. --${flag} ${fallback}`,
      });
    return n;
  };
  const port = portOf("port", args.flags.port, 3000);
  const healthPort = healthFlag === undefined ? undefined : portOf("health-port", healthFlag, 8080);

  const { engine } = await loadEngine(args, io, out, true);
  const config = engine.config;
  const interactive = config["interactive"] as InteractiveConfig | undefined;
  if (interactive === undefined)
    throw new UserError("config_invalid", "serve: the config has no `interactive` section", {
      path: "interactive",
      hint: 'add "interactive": {"team_id": "T…", "app_id": "A…", "allow": ["U…", "S…"]} (see the README, "Triage from Slack")',
    });
  const bot = botSettings(config as never, engine.host);
  if (bot.token === undefined || bot.token.missing)
    throw new UserError("token_missing", "serve: no bot token (SOCKET_SLACK_BOT_TOKEN or bot_token)", {
      hint: "the receiver edits alert messages with the bot token that posted them",
    });
  const stateRaw = io.env[STATE_ENV]?.trim() || (config["state"] as string | SecretRef | undefined);
  if (stateRaw === undefined || stateRaw === "")
    throw new UserError("config_invalid", `serve: no state store (config key state, or ${STATE_ENV})`, {
      path: "state",
      hint: "decisions are kept where send reads them: the same path or postgres:// URL that send uses",
    });
  const state = engine.host.secret(stateRaw, { path: io.env[STATE_ENV]?.trim() ? STATE_ENV : "state" });
  const store = await openStateStore(state);

  const logger = createLogger(format, (line) => out.err(line));
  const slack = new SlackApi(bot.token.reveal(), bot.apiUrl);
  const dispatcher = new Dispatcher(new TriageHandler({ config: interactive, store, slack, logger }), logger);
  // Listening for the signals before announcing readiness (see emulator.ts for the race).
  let stop!: (why: string) => void;
  const stopped = new Promise<string>((r) => (stop = r));
  const onSignal = (s: NodeJS.Signals) => stop(s);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let exit = 0;
  let health: HealthServer | undefined;
  try {
    if (http) {
      const secret = need(
        io,
        SIGNING_SECRET_ENV,
        "the app's signing secret, to check that requests come from Slack",
        "copy it from your app's Basic Information page",
      );
      const receiver = new HttpReceiver(dispatcher, logger, {
        signingSecret: secret,
        port,
        host: args.flags.host ?? "127.0.0.1",
      });
      await listening(() => receiver.start(), "port", port);
      logger.log("info", "ready", { transport: "http", state: store.location, engine: store.engine });
      const why = await stopped;
      logger.log("info", "stopping", { signal: why });
      dispatcher.stopAccepting();
      await receiver.stop();
    } else {
      const appToken = need(
        io,
        APP_TOKEN_ENV,
        "the app-level token (xapp-…) with connections:write, for Socket Mode",
        "create it under Basic Information → App-Level Tokens; or run serve --http with a signing secret",
      );
      let receiver: SocketModeReceiver;
      try {
        receiver = new SocketModeReceiver(dispatcher, logger, { appToken, apiUrl: bot.apiUrl });
        // Up before the first connection: liveness answers meanwhile, readiness says "not yet".
        if (healthPort !== undefined) {
          const r = receiver;
          health = new HealthServer(logger, {
            port: healthPort,
            host: args.flags.host ?? "127.0.0.1",
            readiness: () => (dispatcher.draining ? "draining" : r.readiness()),
          });
          await listening(() => (health as HealthServer).start(), "health-port", healthPort);
        }
        await receiver.start();
      } catch (e) {
        if (e instanceof SocketModeSetupError)
          throw new UserError("token_wrong_kind", `serve: ${APP_TOKEN_ENV}: ${e.message}`, {
            hint: "use the App-Level Token (xapp-…) from Basic Information, with the connections:write scope",
          });
        throw e;
      }
      logger.log("info", "ready", { transport: "socket", state: store.location, engine: store.engine });
      const why = await Promise.race([
        stopped,
        receiver.ended().then(
          () => "ended",
          (e: Error) => {
            logger.log("error", "socket_mode_failed", { error: e.message });
            exit = 1;
            return "failed";
          },
        ),
      ]);
      logger.log("info", "stopping", { signal: why });
      // Not stopAccepting() first: an envelope arriving while the sockets close is still taken
      // while it can be acked (receiver.stop() leaves the rest unacked, for Slack to redeliver).
      await receiver.stop();
      dispatcher.stopAccepting();
    }
    await dispatcher.drain();
    logger.log("info", "stopped");
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await health?.stop();
    await store.close();
  }
  return exit;
}
