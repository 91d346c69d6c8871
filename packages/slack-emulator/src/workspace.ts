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

export interface WorkspaceSpec {
  /** @default { id: "T0001", name: "emulator" } */
  readonly team?: TeamSpec;
  readonly channels: readonly ChannelSpec[];
  readonly tokens?: readonly TokenSpec[];
  readonly hooks?: readonly HookSpec[];
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

/** A checked workspace with defaults filled in; it is also a valid WorkspaceSpec. */
export interface ResolvedWorkspace {
  readonly team: TeamSpec;
  readonly channels: readonly ResolvedChannel[];
  readonly tokens: readonly ResolvedToken[];
  readonly hooks: readonly ResolvedHook[];
}

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
      { token: "xoxb-emulator-bot-token", user: "bot", scopes: ["chat:write", "channels:read", "groups:read"] },
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
        spec["userId"] === undefined ? `U${number}` : c.string(spec["userId"], `${at}.userId`, USER_ID, "a user ID like U0123456789"),
      botId:
        spec["botId"] === undefined ? `B${number}` : c.string(spec["botId"], `${at}.botId`, BOT_ID, "a bot ID like B0123456789"),
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
  const root = c.object(spec, "(workspace)", ["team", "channels", "tokens", "hooks"]);
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
  return deepFreeze({ team, channels, tokens, hooks });
}
