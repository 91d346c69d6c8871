/**
 * The fake workspace: team, channels, tokens and incoming webhooks. It can be given as an
 * object or loaded from a JSON or YAML file; either way it is checked here and every
 * problem names the file and the field (e.g. `channels[1].id`).
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { HOOK_ERROR_CODES, type HookErrorCode, isHookErrorCode } from "./webhook-errors.js";

export interface TeamSpec {
  /** Team ID, e.g. `T0001`; appears in webhook URLs and auth.test. */
  readonly id: string;
  readonly name: string;
}

export interface ChannelSpec {
  /** `C…` (or legacy `G…`) ID. */
  readonly id: string;
  /** Lowercase name without `#`. */
  readonly name: string;
  /** @default false */
  readonly private?: boolean;
  /** @default false */
  readonly archived?: boolean;
  /** User names (as in `tokens[].user`) that are members. @default [] */
  readonly members?: readonly string[];
}

export interface TokenSpec {
  readonly token: string;
  /** The user name this token acts as; channel `members` refer to it. @default "bot" */
  readonly user?: string;
  /** @default derived from the user's position, e.g. `U0000000001` */
  readonly userId?: string;
  /** @default derived from the user's position, e.g. `B0000000001` */
  readonly botId?: string;
  /** @default [] */
  readonly scopes?: readonly string[];
  /** A revoked token answers `token_revoked`. @default false */
  readonly revoked?: boolean;
}

export interface HookSpec {
  /** Name used by `webhookUrl(name)`, records and faults. */
  readonly name: string;
  /** `B…` service ID, the second URL segment. */
  readonly id: string;
  /** The URL's secret segment (letters and digits). */
  readonly secret: string;
  /** The channel the hook posts to, by ID or name. */
  readonly channel: string;
  /** Answer every request with this error (e.g. a removed hook: `no_service`). */
  readonly error?: HookErrorCode;
}

/** The workspace's Slack app: what a receiver (Socket Mode or HTTP) authenticates with. */
export interface AppSpec {
  /** `A…` app ID: `api_app_id` in payloads, `connection_info.app_id` in `hello`. */
  readonly id: string;
  /** App-level token (`xapp-…`, scope connections:write): only apps.connections.open takes it. */
  readonly appToken: string;
  /** Signs HTTP deliveries (`X-Slack-Signature`). */
  readonly signingSecret: string;
  /** Where HTTP deliveries go (events, interactions, slash commands). @default none (Socket Mode only) */
  readonly requestUrl?: string;
  /** The app's bot token, one of `tokens[].token`. @default the first token */
  readonly botToken?: string;
}

/** A person in the workspace: who clicks buttons and types slash commands. */
export interface UserSpec {
  /** `U…` or `W…` user ID. */
  readonly id: string;
  /** Username (handle), e.g. `alice`. */
  readonly name: string;
  /** @default the name */
  readonly realName?: string;
}

/** A user group, for allow-lists (`usergroups.users.list`). */
export interface UsergroupSpec {
  /** `S…` ID. */
  readonly id: string;
  /** Handle without `@`, e.g. `security-team`. */
  readonly handle: string;
  /** Members, by user ID or name (from `users`). @default [] */
  readonly users?: readonly string[];
}

export interface WorkspaceSpec {
  /** @default { id: "T0001", name: "emulator" } */
  readonly team?: TeamSpec;
  readonly channels: readonly ChannelSpec[];
  readonly tokens?: readonly TokenSpec[];
  readonly hooks?: readonly HookSpec[];
  /** @default an app with fake test values, bot token = the first token */
  readonly app?: AppSpec;
  /** @default [] */
  readonly users?: readonly UserSpec[];
  /** @default [] */
  readonly usergroups?: readonly UsergroupSpec[];
}

export interface ResolvedChannel {
  readonly id: string;
  readonly name: string;
  readonly private: boolean;
  readonly archived: boolean;
  readonly members: readonly string[];
}

export interface ResolvedToken {
  readonly token: string;
  readonly user: string;
  readonly userId: string;
  readonly botId: string;
  readonly scopes: readonly string[];
  readonly revoked: boolean;
}

export interface ResolvedHook {
  readonly name: string;
  readonly id: string;
  readonly secret: string;
  /** Channel ID (names in the spec are resolved). */
  readonly channel: string;
  readonly error?: HookErrorCode;
}

export interface ResolvedApp {
  readonly id: string;
  readonly appToken: string;
  readonly signingSecret: string;
  readonly requestUrl?: string;
  /** Undefined only when the workspace has no tokens. */
  readonly botToken?: string;
}

export interface ResolvedUser {
  readonly id: string;
  readonly name: string;
  readonly realName: string;
}

export interface ResolvedUsergroup {
  readonly id: string;
  readonly handle: string;
  /** User IDs. */
  readonly users: readonly string[];
}

/** A checked workspace with defaults filled in; it is also a valid WorkspaceSpec. */
export interface ResolvedWorkspace {
  readonly team: TeamSpec;
  readonly channels: readonly ResolvedChannel[];
  readonly tokens: readonly ResolvedToken[];
  readonly hooks: readonly ResolvedHook[];
  readonly app: ResolvedApp;
  readonly users: readonly ResolvedUser[];
  readonly usergroups: readonly ResolvedUsergroup[];
}

/** The app every workspace gets unless it names its own; fake values that open only the emulator. */
export const DEFAULT_APP = {
  id: "A0000000001",
  appToken: "xapp-1-A0000000001-emulator-app-token",
  signingSecret: "emulatorsigningsecret0000000001",
} as const;

/** A workspace object or file that is not valid. */
export class WorkspaceError extends Error {
  /** The file, when the workspace came from one. */
  readonly file: string | undefined;
  /** The offending field, e.g. `channels[1].id`; undefined for whole-file problems. */
  readonly field: string | undefined;

  constructor(message: string, details: { file?: string; field?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "WorkspaceError";
    this.file = details.file;
    this.field = details.field;
  }
}

/** A workspace with enough variety to exercise every path; a fresh object each call. */
export function defaultWorkspace(): WorkspaceSpec {
  return {
    team: { id: "T0001", name: "emulator" },
    channels: [
      { id: "C0000000001", name: "general", members: ["bot"] },
      { id: "C0000000002", name: "security-alerts", members: ["bot"] },
      { id: "C0000000003", name: "ops", members: ["bot"] },
      { id: "C0000000004", name: "dev" },
      { id: "C0000000005", name: "random" },
      { id: "G0000000006", name: "private-sec", private: true, members: ["bot"] },
      { id: "G0000000007", name: "private-hr", private: true },
      { id: "C0000000008", name: "old-alerts", archived: true, members: ["bot"] },
    ],
    tokens: [
      {
        token: "xoxb-emulator-bot-token",
        user: "bot",
        scopes: ["chat:write", "channels:read", "groups:read", "users:read", "usergroups:read"],
      },
      {
        token: "xoxb-emulator-public-token",
        user: "publisher",
        scopes: ["chat:write", "chat:write.public", "channels:read"],
      },
      { token: "xoxb-emulator-revoked-token", user: "bot", scopes: ["chat:write"], revoked: true },
    ],
    hooks: [
      { name: "security", id: "B0001", secret: "emulatorhooksecret0001", channel: "security-alerts" },
      { name: "ops", id: "B0002", secret: "emulatorhooksecret0002", channel: "ops" },
      { name: "dev", id: "B0003", secret: "emulatorhooksecret0003", channel: "dev" },
    ],
    app: { ...DEFAULT_APP },
    users: [
      { id: "U1000000001", name: "alice", realName: "Alice Admin" },
      { id: "U1000000002", name: "bob", realName: "Bob Builder" },
      { id: "U1000000003", name: "carol", realName: "Carol Contractor" },
    ],
    usergroups: [
      { id: "S0000000001", handle: "security-team", users: ["alice", "bob"] },
      { id: "S0000000002", handle: "contractors", users: ["carol"] },
    ],
  };
}

/** Reads and checks a workspace file: `.json` as JSON, anything else as YAML. */
export function loadWorkspaceFile(path: string): ResolvedWorkspace {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (cause) {
    throw new WorkspaceError(`Cannot read workspace file ${path}: ${errorText(cause)}`, { file: path, cause });
  }
  let data: unknown;
  const json = extname(path).toLowerCase() === ".json";
  try {
    data = json ? JSON.parse(source) : parseYaml(source);
  } catch (cause) {
    const format = json ? "JSON" : "YAML";
    throw new WorkspaceError(`Invalid workspace file ${path}: not valid ${format}: ${errorText(cause)}`, {
      file: path,
      cause,
    });
  }
  return resolveWorkspace(data, path);
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

// Slack IDs are uppercase letters and digits with a type prefix.
const TEAM_ID = /^T[A-Z0-9]+$/;
const CHANNEL_ID = /^[CG][A-Z0-9]+$/;
const HOOK_ID = /^B[A-Z0-9]+$/;
const USER_ID = /^[UW][A-Z0-9]+$/;
const BOT_ID = /^B[A-Z0-9]+$/;
// Slack channel names: lowercase letters, digits, hyphens and underscores, at most 80.
const CHANNEL_NAME = /^[a-z0-9_-]{1,80}$/;
// The secret is a URL path segment; Slack's are 24 letters and digits.
const HOOK_SECRET = /^[A-Za-z0-9]+$/;
const NO_SPACE = /^\S+$/;
const APP_ID = /^A[A-Z0-9]+$/;
const APP_TOKEN = /^xapp-\S+$/;
const USERGROUP_ID = /^S[A-Z0-9]+$/;
const HANDLE = /^[a-z0-9._-]{1,80}$/;

type Fields = Record<string, unknown>;

/** Walks an untrusted value, producing WorkspaceErrors that name the file and field. */
class Checker {
  constructor(private readonly file: string | undefined) {}

  fail(field: string, problem: string): never {
    const where = this.file === undefined ? "Invalid workspace" : `Invalid workspace file ${this.file}`;
    throw new WorkspaceError(`${where}: ${field} ${problem}`, {
      ...(this.file === undefined ? {} : { file: this.file }),
      field,
    });
  }

  object(value: unknown, field: string, allowed: readonly string[]): Fields {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(field, "must be an object");
    const fields = value as Fields;
    for (const key of Object.keys(fields)) {
      if (!allowed.includes(key)) {
        this.fail(`${field}.${key}`, `is not a known field (expected one of: ${allowed.join(", ")})`);
      }
    }
    return fields;
  }

  array(value: unknown, field: string): readonly unknown[] {
    if (!Array.isArray(value)) this.fail(field, "must be a list");
    return value;
  }

  string(value: unknown, field: string, pattern?: RegExp, shape?: string): string {
    if (typeof value !== "string" || value.length === 0) this.fail(field, "must be a non-empty string");
    if (pattern !== undefined && !pattern.test(value)) {
      this.fail(field, `must be ${shape ?? `like ${pattern.source}`} (got ${JSON.stringify(value)})`);
    }
    return value;
  }

  boolean(value: unknown, field: string): boolean {
    if (value === undefined) return false;
    if (typeof value !== "boolean") this.fail(field, "must be true or false");
    return value;
  }

  strings(value: unknown, field: string): string[] {
    if (value === undefined) return [];
    return this.array(value, field).map((item, i) => this.string(item, `${field}[${i}]`));
  }

  unique(seen: Set<string>, value: string, field: string, what: string): void {
    if (seen.has(value)) this.fail(field, `duplicates another ${what} (${JSON.stringify(value)})`);
    seen.add(value);
  }
}

function resolveChannels(c: Checker, value: unknown): ResolvedChannel[] {
  const ids = new Set<string>();
  const names = new Set<string>();
  return c.array(value, "channels").map((item, i) => {
    const at = `channels[${i}]`;
    const spec = c.object(item, at, ["id", "name", "private", "archived", "members"]);
    const id = c.string(spec["id"], `${at}.id`, CHANNEL_ID, "a channel ID like C0123456789");
    const name = c.string(
      spec["name"],
      `${at}.name`,
      CHANNEL_NAME,
      "a lowercase channel name without # (letters, digits, - and _; at most 80)",
    );
    c.unique(ids, id, `${at}.id`, "channel ID");
    c.unique(names, name, `${at}.name`, "channel name");
    return {
      id,
      name,
      private: c.boolean(spec["private"], `${at}.private`),
      archived: c.boolean(spec["archived"], `${at}.archived`),
      members: c.strings(spec["members"], `${at}.members`),
    };
  });
}

function resolveTokens(c: Checker, value: unknown): ResolvedToken[] {
  const seen = new Set<string>();
  const users: string[] = [];
  return c.array(value ?? [], "tokens").map((item, i) => {
    const at = `tokens[${i}]`;
    const spec = c.object(item, at, ["token", "user", "userId", "botId", "scopes", "revoked"]);
    const token = c.string(spec["token"], `${at}.token`, NO_SPACE, "a token without spaces");
    c.unique(seen, token, `${at}.token`, "token");
    const user = spec["user"] === undefined ? "bot" : c.string(spec["user"], `${at}.user`);
    if (!users.includes(user)) users.push(user);
    // Several tokens for one user share that user's IDs unless told otherwise.
    const number = String(users.indexOf(user) + 1).padStart(10, "0");
    return {
      token,
      user,
      userId:
        spec["userId"] === undefined
          ? `U${number}`
          : c.string(spec["userId"], `${at}.userId`, USER_ID, "a user ID like U0123456789"),
      botId:
        spec["botId"] === undefined
          ? `B${number}`
          : c.string(spec["botId"], `${at}.botId`, BOT_ID, "a bot ID like B0123456789"),
      scopes: c.strings(spec["scopes"], `${at}.scopes`),
      revoked: c.boolean(spec["revoked"], `${at}.revoked`),
    };
  });
}

function resolveHooks(c: Checker, value: unknown, channels: readonly ResolvedChannel[]): ResolvedHook[] {
  const names = new Set<string>();
  const ids = new Set<string>();
  return c.array(value ?? [], "hooks").map((item, i) => {
    const at = `hooks[${i}]`;
    const spec = c.object(item, at, ["name", "id", "secret", "channel", "error"]);
    const name = c.string(spec["name"], `${at}.name`);
    const id = c.string(spec["id"], `${at}.id`, HOOK_ID, "a hook ID like B0123456789");
    const secret = c.string(spec["secret"], `${at}.secret`, HOOK_SECRET, "letters and digits only");
    c.unique(names, name, `${at}.name`, "hook name");
    c.unique(ids, id, `${at}.id`, "hook ID");
    const ref = c.string(spec["channel"], `${at}.channel`).replace(/^#/, "");
    const channel = channels.find((ch) => ch.id === ref || ch.name === ref.toLowerCase());
    if (channel === undefined) c.fail(`${at}.channel`, `names no channel in channels (got ${JSON.stringify(ref)})`);
    const error = spec["error"];
    if (error !== undefined && !isHookErrorCode(error)) {
      c.fail(`${at}.error`, `must be one of ${HOOK_ERROR_CODES.join(", ")} (got ${JSON.stringify(error)})`);
    }
    return { name, id, secret, channel: channel.id, ...(error === undefined ? {} : { error }) };
  });
}

function resolveApp(c: Checker, value: unknown, tokens: readonly ResolvedToken[]): ResolvedApp {
  const firstToken = tokens[0]?.token;
  if (value === undefined) return { ...DEFAULT_APP, ...(firstToken === undefined ? {} : { botToken: firstToken }) };
  const spec = c.object(value, "app", ["id", "appToken", "signingSecret", "requestUrl", "botToken"]);
  const id = c.string(spec["id"], "app.id", APP_ID, "an app ID like A0123456789");
  const appToken = c.string(spec["appToken"], "app.appToken", APP_TOKEN, "an app-level token starting with xapp-");
  const signingSecret = c.string(spec["signingSecret"], "app.signingSecret", NO_SPACE, "a secret without spaces");
  let requestUrl: string | undefined;
  if (spec["requestUrl"] !== undefined) {
    requestUrl = c.string(spec["requestUrl"], "app.requestUrl");
    if (!isHttpUrl(requestUrl))
      c.fail("app.requestUrl", `must be an http:// or https:// URL (got ${JSON.stringify(requestUrl)})`);
  }
  let botToken = firstToken;
  if (spec["botToken"] !== undefined) {
    botToken = c.string(spec["botToken"], "app.botToken");
    if (!tokens.some((t) => t.token === botToken)) c.fail("app.botToken", "names no token in tokens");
  }
  return {
    id,
    appToken,
    signingSecret,
    ...(requestUrl === undefined ? {} : { requestUrl }),
    ...(botToken === undefined ? {} : { botToken }),
  };
}

/** True for an absolute http(s) URL, the only kind a request URL can be. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function resolveUsers(c: Checker, value: unknown, tokens: readonly ResolvedToken[]): ResolvedUser[] {
  const ids = new Set<string>(tokens.map((t) => t.userId));
  const names = new Set<string>(tokens.map((t) => t.user));
  return c.array(value ?? [], "users").map((item, i) => {
    const at = `users[${i}]`;
    const spec = c.object(item, at, ["id", "name", "realName"]);
    const id = c.string(spec["id"], `${at}.id`, USER_ID, "a user ID like U0123456789");
    const name = c.string(spec["name"], `${at}.name`, HANDLE, "a lowercase username (letters, digits, . _ -)");
    c.unique(ids, id, `${at}.id`, "user or token user ID");
    c.unique(names, name, `${at}.name`, "user or token user name");
    const realName = spec["realName"] === undefined ? name : c.string(spec["realName"], `${at}.realName`);
    return { id, name, realName };
  });
}

function resolveUsergroups(c: Checker, value: unknown, users: readonly ResolvedUser[]): ResolvedUsergroup[] {
  const ids = new Set<string>();
  const handles = new Set<string>();
  return c.array(value ?? [], "usergroups").map((item, i) => {
    const at = `usergroups[${i}]`;
    const spec = c.object(item, at, ["id", "handle", "users"]);
    const id = c.string(spec["id"], `${at}.id`, USERGROUP_ID, "a user group ID like S0123456789");
    const handle = c.string(spec["handle"], `${at}.handle`, HANDLE, "a lowercase handle without @");
    c.unique(ids, id, `${at}.id`, "user group ID");
    c.unique(handles, handle, `${at}.handle`, "user group handle");
    const members = c.strings(spec["users"], `${at}.users`).map((ref, j) => {
      const user = users.find((u) => u.id === ref || u.name === ref);
      if (user === undefined) c.fail(`${at}.users[${j}]`, `names no user in users (got ${JSON.stringify(ref)})`);
      return user.id;
    });
    return { id, handle, users: [...new Set(members)] };
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * Checks a workspace (an object, or data parsed from `file`) and fills in defaults.
 * Throws WorkspaceError naming the file and field of the first problem.
 */
export function resolveWorkspace(spec: unknown, file?: string): ResolvedWorkspace {
  const c: Checker = new Checker(file);
  const root = c.object(spec, "(workspace)", ["team", "channels", "tokens", "hooks", "app", "users", "usergroups"]);
  let team: TeamSpec = { id: "T0001", name: "emulator" };
  if (root["team"] !== undefined) {
    const t = c.object(root["team"], "team", ["id", "name"]);
    team = {
      id: c.string(t["id"], "team.id", TEAM_ID, "a team ID like T0123456789"),
      name: c.string(t["name"], "team.name"),
    };
  }
  const channels = resolveChannels(c, root["channels"]);
  const tokens = resolveTokens(c, root["tokens"]);
  const hooks = resolveHooks(c, root["hooks"], channels);
  const app = resolveApp(c, root["app"], tokens);
  const users = resolveUsers(c, root["users"], tokens);
  const usergroups = resolveUsergroups(c, root["usergroups"], users);
  return deepFreeze({ team, channels, tokens, hooks, app, users, usergroups });
}
