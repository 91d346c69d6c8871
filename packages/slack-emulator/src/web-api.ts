/**
 * The Web API methods the emulator implements. Like Slack, every answer is HTTP 200 with
 * `{ok: false, error}` on failure (429 for rate limits), and callers are told their scopes
 * in `x-oauth-scopes` (@slack/web-api copies it into `response_metadata.scopes`).
 * Error codes and their order follow the chat.postMessage and conversations.* method pages.
 */
import { type EmulatorContext } from "./context.js";
import { type StoredMessage } from "./message-store.js";
import { type RecordDraft } from "./records.js";
import { apiReply, type Reply } from "./reply.js";
import { validateMessage } from "./validate.js";
import { type ResolvedChannel, type ResolvedToken } from "./workspace.js";

export interface ApiCall {
  readonly method: string;
  readonly httpMethod: string;
  readonly args: Record<string, unknown>;
  readonly token: string | undefined;
}

interface MethodCall {
  readonly ctx: EmulatorContext;
  readonly token: ResolvedToken;
  readonly args: Record<string, unknown>;
  readonly draft: RecordDraft;
  /** Headers every authenticated answer carries. */
  readonly headers: Record<string, string>;
}

interface MethodDefinition {
  /** Read methods may also be called with GET and query arguments. */
  readonly read: boolean;
  /** False for methods Slack answers without a token (api.test). */
  readonly auth: boolean;
  readonly run: (call: MethodCall) => Reply;
}

/** Stands in for the app-level token, which has no user of its own. */
const APP_TOKEN_USER: ResolvedToken = {
  token: "",
  user: "",
  userId: "",
  botId: "",
  scopes: ["connections:write"],
  revoked: false,
};

/** Slack's conversations.list `limit`: "must be an integer under 1000". */
const MAX_LIST_LIMIT = 999;
const DEFAULT_LIST_LIMIT = 100;
const CONVERSATION_TYPES = ["public_channel", "private_channel", "mpim", "im"] as const;
type ConversationType = (typeof CONVERSATION_TYPES)[number];
const TYPE_SCOPES: Record<ConversationType, string> = {
  public_channel: "channels:read",
  private_channel: "groups:read",
  mpim: "mpim:read",
  im: "im:read",
};

function stringArg(value: unknown): string | undefined {
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

/** Form fields arrive as strings, JSON as booleans; Slack accepts true/1 either way. */
function booleanArg(value: unknown): boolean {
  return value === true || value === 1 || value === "true" || value === "1";
}

function fail(
  call: MethodCall,
  error: string,
  extra: Record<string, unknown> = {},
  record: Partial<RecordDraft> = {},
): Reply {
  return apiReply(call.draft, { ok: false, error, ...extra }, { headers: call.headers, record });
}

/** `missing_scope` with Slack's `needed`/`provided` fields, or undefined when all are held. */
function requireScopes(
  call: MethodCall,
  needed: readonly string[],
  record: Partial<RecordDraft> = {},
): Reply | undefined {
  const missing = needed.filter((scope) => !call.token.scopes.includes(scope));
  if (missing.length === 0) return undefined;
  return apiReply(
    call.draft,
    { ok: false, error: "missing_scope", needed: missing.join(","), provided: call.token.scopes.join(",") },
    { headers: { ...call.headers, "x-accepted-oauth-scopes": needed.join(",") }, record },
  );
}

function channelRecord(channel: ResolvedChannel): Partial<RecordDraft> {
  return { channel: channel.id, channelName: channel.name };
}

function channelObject(ctx: EmulatorContext, channel: ResolvedChannel, token: ResolvedToken): Record<string, unknown> {
  return {
    id: channel.id,
    name: channel.name,
    name_normalized: channel.name,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: channel.private,
    is_archived: channel.archived,
    is_general: channel.name === "general",
    is_member: ctx.directory.isMember(channel, token.user),
    num_members: channel.members.length,
  };
}

/**
 * The channel a message call may post to: by ID, or by name for public channels only
 * (private channels by name are `channel_not_found`, as the docs ask for IDs there). A
 * private channel the caller is not in is invisible to it, so also `channel_not_found`.
 */
function postableChannel(call: MethodCall): { channel: ResolvedChannel } | { reply: Reply } {
  const ref = stringArg(call.args["channel"]);
  const channel = ref === undefined ? undefined : call.ctx.directory.resolveChannel(ref, "public");
  if (channel === undefined) return { reply: fail(call, "channel_not_found") };
  const record = channelRecord(channel);
  const member = call.ctx.directory.isMember(channel, call.token.user);
  if (channel.private && !member) return { reply: fail(call, "channel_not_found", {}, record) };
  if (channel.archived) return { reply: fail(call, "is_archived", {}, record) };
  // chat:write.public lets a bot post in public channels it has not joined (scope docs).
  if (!member && !call.token.scopes.includes("chat:write.public")) {
    return { reply: fail(call, "not_in_channel", {}, record) };
  }
  return { channel };
}

function rateLimited(call: MethodCall, retryAfter: number, record: Partial<RecordDraft>): Reply {
  return apiReply(
    call.draft,
    { ok: false, error: "ratelimited" },
    {
      status: 429,
      headers: { ...call.headers, "retry-after": String(retryAfter) },
      record: { ...record, retryAfter },
    },
  );
}

function postMessage(call: MethodCall): Reply {
  const denied = requireScopes(call, ["chat:write"]);
  if (denied !== undefined) return denied;
  const found = postableChannel(call);
  if ("reply" in found) return found.reply;
  const { channel } = found;
  const { ctx, args, token } = call;
  const threadTs = stringArg(args["thread_ts"]);
  const record: Partial<RecordDraft> = { ...channelRecord(channel), threadTs };

  const limitKeys = { bucket: `channel:${channel.id}`, workspace: true };
  const retryAfter = ctx.limiter.check(limitKeys);
  if (retryAfter > 0) return rateLimited(call, retryAfter, record);
  if (threadTs !== undefined && ctx.store.get(channel.id, threadTs) === undefined) {
    return fail(call, "thread_not_found", {}, record);
  }
  const verdict = validateMessage(args);
  if (!verdict.ok) {
    return fail(call, verdict.error, verdict.errors.length > 0 ? { errors: verdict.errors } : {}, record);
  }

  const ts = ctx.store.nextTs();
  ctx.store.add({
    channel: channel.id,
    ts,
    userId: token.userId,
    text: verdict.text,
    blocks: args["blocks"],
    ...(threadTs === undefined ? {} : { threadTs }),
  });
  ctx.limiter.consume(limitKeys);
  const message: Record<string, unknown> = {
    type: "message",
    text: verdict.text ?? "",
    user: token.userId,
    bot_id: token.botId,
    team: ctx.directory.workspace.team.id,
    ts,
    ...(args["blocks"] === undefined ? {} : { blocks: args["blocks"] }),
    ...(args["attachments"] === undefined ? {} : { attachments: args["attachments"] }),
    ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
  };
  return apiReply(
    call.draft,
    { ok: true, channel: channel.id, ts, message },
    {
      headers: call.headers,
      record: {
        ...record,
        ts,
        ...(verdict.truncated ? { truncated: true, payload: { ...call.draft.payload, text: verdict.text } } : {}),
      },
    },
  );
}

/**
 * The message `channel` + `ts` name, if the caller may change it: only its author may (webhook
 * posts have no token author), else `notYours` (cant_update_message, cant_delete_message).
 */
function ownMessage(
  call: MethodCall,
  notYours: string,
): { reply: Reply } | { channel: ResolvedChannel; ts: string; record: Partial<RecordDraft>; stored: StoredMessage } {
  const denied = requireScopes(call, ["chat:write"]);
  if (denied !== undefined) return { reply: denied };
  const found = postableChannel(call);
  if ("reply" in found) return { reply: found.reply };
  const { channel } = found;
  const ts = stringArg(call.args["ts"]);
  const record: Partial<RecordDraft> = { ...channelRecord(channel), ts };
  const stored = ts === undefined ? undefined : call.ctx.store.get(channel.id, ts);
  if (stored === undefined || ts === undefined) return { reply: fail(call, "message_not_found", {}, record) };
  if (stored.userId !== call.token.userId) return { reply: fail(call, notYours, {}, record) };
  return { channel, ts, record, stored };
}

function updateMessage(call: MethodCall): Reply {
  const own = ownMessage(call, "cant_update_message");
  if ("reply" in own) return own.reply;
  const { channel, ts, record, stored } = own;
  const { ctx, args, token } = call;

  const limitKeys = { bucket: `channel:${channel.id}`, workspace: false };
  const retryAfter = ctx.limiter.check(limitKeys);
  if (retryAfter > 0) return rateLimited(call, retryAfter, record);
  const verdict = validateMessage(args);
  if (!verdict.ok) {
    return fail(call, verdict.error, verdict.errors.length > 0 ? { errors: verdict.errors } : {}, record);
  }
  stored.text = verdict.text;
  stored.blocks = args["blocks"];
  ctx.limiter.consume(limitKeys);
  const text = verdict.text ?? "";
  return apiReply(
    call.draft,
    {
      ok: true,
      channel: channel.id,
      ts,
      text,
      message: {
        text,
        user: token.userId,
        bot_id: token.botId,
        ...(args["blocks"] === undefined ? {} : { blocks: args["blocks"] }),
      },
    },
    {
      headers: call.headers,
      record: {
        ...record,
        ...(stored.threadTs === undefined ? {} : { threadTs: stored.threadTs }),
        ...(verdict.truncated ? { truncated: true, payload: { ...call.draft.payload, text: verdict.text } } : {}),
      },
    },
  );
}

function encodeCursor(channelId: string): string {
  return Buffer.from(`channel:${channelId}`).toString("base64");
}

function decodeCursor(cursor: string): string | undefined {
  const match = /^channel:([A-Z0-9]+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  return match?.[1];
}

function listConversations(call: MethodCall): Reply {
  const { ctx, args, token } = call;
  const typesArg = stringArg(args["types"]) ?? "public_channel";
  const types = typesArg.split(",").map((t) => t.trim());
  const unknownType = types.find((t) => !(CONVERSATION_TYPES as readonly string[]).includes(t));
  if (unknownType !== undefined) return fail(call, "invalid_types");
  const wanted = new Set(types as ConversationType[]);
  const denied = requireScopes(
    call,
    [...wanted].map((t) => TYPE_SCOPES[t]),
  );
  if (denied !== undefined) return denied;

  const limitArg = args["limit"];
  const limit = limitArg === undefined || limitArg === "" ? DEFAULT_LIST_LIMIT : Number(limitArg);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) return fail(call, "invalid_limit");

  const excludeArchived = booleanArg(args["exclude_archived"]);
  // Private channels are listed only to members (bots see the channels they were invited to).
  const visible = ctx.directory.channels.filter(
    (ch) =>
      (ch.private
        ? wanted.has("private_channel") && ctx.directory.isMember(ch, token.user)
        : wanted.has("public_channel")) && !(excludeArchived && ch.archived),
  );
  const cursor = stringArg(args["cursor"]);
  let start = 0;
  if (cursor !== undefined) {
    const id = decodeCursor(cursor);
    start = id === undefined ? -1 : visible.findIndex((ch) => ch.id === id);
    if (start < 0) return fail(call, "invalid_cursor");
  }
  const page = visible.slice(start, start + limit);
  const next = visible[start + limit];
  return apiReply(
    call.draft,
    {
      ok: true,
      channels: page.map((ch) => channelObject(ctx, ch, token)),
      response_metadata: { next_cursor: next === undefined ? "" : encodeCursor(next.id) },
    },
    { headers: call.headers },
  );
}

function conversationInfo(call: MethodCall): Reply {
  const { ctx, args, token } = call;
  const ref = stringArg(args["channel"]);
  // conversations.info takes IDs only.
  const channel = ref === undefined ? undefined : ctx.directory.channelById(ref);
  if (channel === undefined) return fail(call, "channel_not_found");
  const record = channelRecord(channel);
  const denied = requireScopes(call, [channel.private ? "groups:read" : "channels:read"], record);
  if (denied !== undefined) return denied;
  if (channel.private && !ctx.directory.isMember(channel, token.user))
    return fail(call, "channel_not_found", {}, record);
  return apiReply(
    call.draft,
    { ok: true, channel: channelObject(ctx, channel, token) },
    { headers: call.headers, record },
  );
}

function authTest(call: MethodCall): Reply {
  const { team } = call.ctx.directory.workspace;
  const subdomain = team.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  return apiReply(
    call.draft,
    {
      ok: true,
      url: `https://${subdomain}.slack.com/`,
      team: team.name,
      user: call.token.user,
      team_id: team.id,
      user_id: call.token.userId,
      bot_id: call.token.botId,
    },
    { headers: call.headers },
  );
}

function postEphemeral(call: MethodCall): Reply {
  const denied = requireScopes(call, ["chat:write"]);
  if (denied !== undefined) return denied;
  const found = postableChannel(call);
  if ("reply" in found) return found.reply;
  const { channel } = found;
  const { ctx, args } = call;
  const userRef = stringArg(args["user"]);
  const record: Partial<RecordDraft> = { ...channelRecord(channel), ephemeral: true };
  const user = userRef === undefined ? undefined : ctx.directory.user(userRef);
  if (user === undefined) return fail(call, "user_not_found", {}, record);
  // Private channels list their members; in public ones every workspace user may read.
  if (channel.private && !ctx.directory.isMember(channel, user.name))
    return fail(call, "user_not_in_channel", {}, { ...record, user: user.id });
  const verdict = validateMessage(args);
  if (!verdict.ok) {
    return fail(call, verdict.error, verdict.errors.length > 0 ? { errors: verdict.errors } : {}, record);
  }
  // Ephemeral messages are not stored: nobody can update or thread on them.
  const ts = ctx.store.nextTs();
  return apiReply(
    call.draft,
    { ok: true, message_ts: ts },
    { headers: call.headers, record: { ...record, user: user.id, ts } },
  );
}

function userObject(ctx: EmulatorContext, id: string): Record<string, unknown> | undefined {
  const teamId = ctx.directory.workspace.team.id;
  const user = ctx.directory.user(id);
  if (user !== undefined) {
    return {
      id: user.id,
      team_id: teamId,
      name: user.name,
      real_name: user.realName,
      deleted: false,
      is_bot: false,
      profile: { real_name: user.realName, display_name: user.name },
    };
  }
  const bot = ctx.directory.tokenByUserId(id);
  if (bot === undefined) return undefined;
  return {
    id: bot.userId,
    team_id: teamId,
    name: bot.user,
    real_name: bot.user,
    deleted: false,
    is_bot: true,
    profile: { real_name: bot.user, display_name: bot.user, bot_id: bot.botId },
  };
}

function usersInfo(call: MethodCall): Reply {
  const denied = requireScopes(call, ["users:read"]);
  if (denied !== undefined) return denied;
  const ref = stringArg(call.args["user"]);
  // users.info takes IDs only.
  const user = ref === undefined || !/^[UW]/.test(ref) ? undefined : userObject(call.ctx, ref);
  if (user === undefined) return fail(call, "user_not_found");
  return apiReply(call.draft, { ok: true, user }, { headers: call.headers });
}

function usergroupUsers(call: MethodCall): Reply {
  const denied = requireScopes(call, ["usergroups:read"]);
  if (denied !== undefined) return denied;
  const ref = stringArg(call.args["usergroup"]);
  const group = ref === undefined || !/^S/.test(ref) ? undefined : call.ctx.directory.usergroup(ref);
  if (group === undefined) return fail(call, ref === undefined ? "invalid_arguments" : "no_such_subteam");
  return apiReply(call.draft, { ok: true, users: [...group.users] }, { headers: call.headers });
}

function viewsOpen(call: MethodCall): Reply {
  const { args, ctx } = call;
  const trigger = stringArg(args["trigger_id"]);
  const view = args["view"];
  if (trigger === undefined || view === undefined) return fail(call, "invalid_arguments");
  if (typeof view !== "object" || view === null || Array.isArray(view)) return fail(call, "invalid_arguments");
  const check = ctx.app.useTrigger(trigger);
  if (check !== "ok") return fail(call, check);
  const id = `V${ctx.store.nextTs().replace(".", "")}`;
  return apiReply(
    call.draft,
    {
      ok: true,
      view: {
        id,
        team_id: ctx.directory.workspace.team.id,
        app_id: ctx.directory.workspace.app.id,
        ...(view as Record<string, unknown>),
      },
    },
    { headers: call.headers },
  );
}

/** chat.delete: the author (a bot token) removes its own message, as a user may in Slack's UI. */
function deleteMessage(call: MethodCall): Reply {
  const own = ownMessage(call, "cant_delete_message");
  if ("reply" in own) return own.reply;
  const { channel, ts, record } = own;
  call.ctx.store.remove(channel.id, ts);
  return apiReply(call.draft, { ok: true, channel: channel.id, ts }, { record });
}

/** Socket Mode: a one-off WebSocket URL for the app-level token (checked before this runs). */
function connectionsOpen(call: MethodCall): Reply {
  const { app } = call.ctx;
  const ws = app.baseUrl.replace(/^http/, "ws");
  const url = `${ws}/link/?ticket=${app.issueTicket()}&app_id=${call.ctx.directory.workspace.app.id}`;
  return apiReply(call.draft, { ok: true, url }, { headers: call.headers });
}

const METHODS: ReadonlyMap<string, MethodDefinition> = new Map<string, MethodDefinition>([
  ["auth.test", { read: true, auth: true, run: authTest }],
  ["chat.postMessage", { read: false, auth: true, run: postMessage }],
  ["chat.update", { read: false, auth: true, run: updateMessage }],
  ["chat.delete", { read: false, auth: true, run: deleteMessage }],
  ["chat.postEphemeral", { read: false, auth: true, run: postEphemeral }],
  ["apps.connections.open", { read: false, auth: true, run: connectionsOpen }],
  ["views.open", { read: false, auth: true, run: viewsOpen }],
  ["users.info", { read: true, auth: true, run: usersInfo }],
  ["usergroups.users.list", { read: true, auth: true, run: usergroupUsers }],
  ["conversations.list", { read: true, auth: true, run: listConversations }],
  ["conversations.info", { read: true, auth: true, run: conversationInfo }],
]);

/** Names of the Web API methods the emulator implements (plus api.test). */
export const API_METHODS: readonly string[] = ["api.test", ...METHODS.keys()];

/** Answers one Web API call. `draft` already holds what the request said (payload, channel). */
export function handleApiCall(ctx: EmulatorContext, request: ApiCall, draft: RecordDraft): Reply {
  if (request.method === "api.test") {
    // Slack's api.test needs no token and echoes the arguments.
    return apiReply(draft, { ok: true, args: draft.payload });
  }
  const definition = METHODS.get(request.method);
  if (definition === undefined) return apiReply(draft, { ok: false, error: "unknown_method" });
  if (request.httpMethod !== "POST" && !definition.read) {
    // Writes need a POST body; Slack's wording for a missing/invalid POST is invalid_post_type.
    return apiReply(draft, { ok: false, error: "invalid_post_type" });
  }
  if (request.token === undefined) return apiReply(draft, { ok: false, error: "not_authed" });
  // The app-level token opens Socket Mode connections and nothing else; bot tokens cannot.
  const appToken = ctx.directory.isAppToken(request.token);
  if (appToken !== (request.method === "apps.connections.open")) {
    const known = appToken || ctx.directory.token(request.token) !== undefined;
    return apiReply(draft, { ok: false, error: known ? "not_allowed_token_type" : "invalid_auth" });
  }
  if (appToken) {
    const scopes = { "x-oauth-scopes": "connections:write" };
    return connectionsOpen({ ctx, token: APP_TOKEN_USER, args: request.args, draft, headers: scopes });
  }
  const token = ctx.directory.token(request.token);
  if (token === undefined) return apiReply(draft, { ok: false, error: "invalid_auth" });
  if (token.revoked) return apiReply(draft, { ok: false, error: "token_revoked" });
  const headers = { "x-oauth-scopes": token.scopes.join(",") };
  return definition.run({ ctx, token, args: request.args, draft, headers });
}
