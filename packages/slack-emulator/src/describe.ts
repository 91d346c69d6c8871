/**
 * A short human summary of a running emulator, for `socket-notify emulator` and demos: where
 * it listens, the URL of each hook, the tokens and channels. The tokens and hook secrets
 * shown belong to the fake workspace only; they open nothing but this emulator.
 */
import { type SlackEmulator } from "./server.js";

function limitsLine(emu: SlackEmulator): string {
  const { rateLimit, workspaceRateLimit } = emu.limits;
  const perKey =
    rateLimit === false ? "off" : `${rateLimit.perSecond}/s per channel and per hook, burst ${rateLimit.burst}`;
  const workspace = workspaceRateLimit === false ? "off" : `${workspaceRateLimit.perMinute}/min`;
  return `Rate limits: ${perKey}; workspace cap ${workspace}`;
}

/** Pads the first column of each row so the rest lines up. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

/**
 * Several lines (no trailing newline) describing a running emulator: base URL, Web API URL
 * (for `slackApiUrl`), every hook's full URL and channel, every token with its user and
 * scopes, every channel with its flags, the rate limits and the control endpoints.
 */
export function describeEmulator(emu: SlackEmulator): string {
  const { team, channels, tokens, hooks } = emu.workspace;
  const channelName = (id: string): string => `#${channels.find((c) => c.id === id)?.name ?? id}`;
  const lines: string[] = [
    `Slack emulator for team ${team.name} (${team.id}) listening on ${emu.url}`,
    `Live view: ${emu.url}/  (open it in a browser: every message that arrives, as Slack shows it)`,
    `Web API: ${emu.apiUrl}  (use as slack_api_url or SOCKET_SLACK_API_URL; slackApiUrl in @slack/web-api)`,
    "",
    "Incoming webhooks:",
  ];
  if (hooks.length === 0) lines.push("  (none)");
  lines.push(
    ...table(
      hooks.map((h) => [
        `  ${h.name}`,
        channelName(h.channel),
        emu.webhookUrl(h.name) + (h.error === undefined ? "" : `  (always answers ${h.error})`),
      ]),
    ),
  );
  lines.push("", "Bot tokens:");
  if (tokens.length === 0) lines.push("  (none)");
  lines.push(
    ...table(
      tokens.map((t) => [
        `  ${t.token}`,
        `user ${t.user}`,
        (t.scopes.length === 0 ? "no scopes" : t.scopes.join(",")) + (t.revoked ? "  (revoked)" : ""),
      ]),
    ),
  );
  const app = emu.app();
  lines.push(
    "",
    `App ${app.app_id} (receive side):`,
    `  app-level token  ${app.app_token}  (connections:write; Socket Mode via apps.connections.open)`,
    `  bot token        ${app.bot_token ?? "(none)"}`,
    `  signing secret   ${app.signing_secret}`,
    `  request URL      ${app.request_url ?? "(none: HTTP delivery off; set with --request-url or POST /_emulator/app)"}`,
    `  users            ${app.users.map((u) => `${u.name} (${u.id})`).join(", ") || "(none)"}`,
    `  user groups      ${app.usergroups.map((g) => `@${g.handle} (${g.id}): ${g.users.join(", ") || "no members"}`).join("; ") || "(none)"}`,
  );
  lines.push("", "Channels:");
  lines.push(
    ...table(
      channels.map((c) => {
        const flags = [c.private ? "private" : "public", ...(c.archived ? ["archived"] : [])];
        const members = c.members.length === 0 ? "no members" : `members: ${c.members.join(", ")}`;
        return [`  ${c.id}`, `#${c.name}`, `${flags.join(", ")}; ${members}`];
      }),
    ),
  );
  lines.push(
    "",
    limitsLine(emu),
    `Controls: GET ${emu.url}/_emulator/messages, POST|GET|DELETE ${emu.url}/_emulator/faults, POST ${emu.url}/_emulator/reset,`,
    `  GET|POST ${emu.url}/_emulator/app, POST ${emu.url}/_emulator/interact|command|event|url_verification,`,
    `  GET ${emu.url}/_emulator/socket, POST ${emu.url}/_emulator/socket/disconnect|faults, GET ${emu.url}/_emulator/http, POST ${emu.url}/_emulator/http/replay`,
  );
  return lines.join("\n");
}
