import { type $ZodError, type $ZodIssue, type $ZodType, type output, safeParse } from "zod/v4/core";
import { UserError, type ErrorCode } from "./errors.js";
import { looksLikeCredential } from "./secret.js";

const PLAIN_KEY = /^[A-Za-z_$][\w$-]{0,63}$/;

/**
 * Whether a key may be quoted in a message. A config the search found may not be a config at
 * all (a link to /proc/self/environ parses as YAML when a value holds ": "): its "keys" are then
 * `NAME=value` pairs of the environment. Only short keys of printable text with no `=` and
 * nothing shaped like a credential are shown.
 */
export function isShowableKey(key: string): boolean {
  if (PLAIN_KEY.test(key)) return !looksLikeCredential(key);
  return key.length <= 64 && !/[\u0000-\u001f\u007f-\u009f=]/.test(key) && !looksLikeCredential(key);
}

/** `bot_configs[0].channels` from zod's `["bot_configs", 0, "channels"]`; a key that is not showable is `[…]`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else {
      const key = String(p);
      if (!isShowableKey(key)) out += "[…]";
      else out += PLAIN_KEY.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** Keys whose values may be echoed in an error; anything else might be a secret. */
const ECHO_SAFE_KEYS = new Set([
  "mode",
  "channels",
  "severities",
  "alert_types",
  "exclude_alert_types",
  "levels",
  "min_severity",
  "repos",
  "name",
  "severity",
  "type",
  "enabled",
  "plugins",
]);

function describeValue(v: unknown, echo: boolean): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "string") {
    if (!echo) return "a string";
    const shown = v.length > 40 ? `${v.slice(0, 40)}…` : v;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof v === "object") return "an object";
  if (typeof v === "undefined") return "nothing";
  return `${typeof v === "number" ? "the number" : "the value"} ${String(v)}`;
}

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** The closest known name, if it is close enough to be a typo. */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const k of known) {
    const d = levenshtein(w, k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Known keys of the object schema at `path`, for "did you mean" hints. */
function knownKeysAt(schema: $ZodType, path: readonly PropertyKey[]): string[] {
  let cur: unknown = schema;
  for (const p of path) {
    cur = unwrap(cur);
    const def = (cur as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return [];
    if (def.type === "object") cur = (def.shape as Record<string, unknown>)[String(p)];
    else if (def.type === "array") cur = def.element;
    else if (def.type === "record") cur = def.valueType;
    else if (def.type === "union") {
      const opts = (def.options as unknown[]).map(unwrap);
      cur = opts.find(
        (o) =>
          (o as { _zod?: { def?: { type?: string } } })._zod?.def?.type ===
          (typeof p === "number" ? "array" : "object"),
      );
      if (cur && typeof p === "number") cur = (cur as { _zod: { def: { element: unknown } } })._zod.def.element;
      else if (cur) cur = (cur as { _zod: { def: { shape: Record<string, unknown> } } })._zod.def.shape[String(p)];
    } else return [];
  }
  cur = unwrap(cur);
  const def = (cur as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  if (def?.type === "object") return Object.keys(def.shape as object);
  if (def?.type === "union") {
    for (const o of (def.options as unknown[]).map(unwrap)) {
      const d = (o as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
      if (d?.type === "object") return Object.keys(d.shape as object);
    }
  }
  return [];
}

function unwrap(s: unknown): unknown {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const def = (cur as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def) return cur;
    if (def.type === "optional" || def.type === "nullable" || def.type === "default" || def.type === "prefault")
      cur = def.innerType;
    else if (def.type === "pipe") cur = def.in;
    else return cur;
  }
  return cur;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p as string];
  }
  return cur;
}

export interface IssueReport {
  path: string;
  message: string;
  hint: string;
}

/**
 * Turn the first zod issue into one sentence a user can act on. zod reports a typo'd key
 * twice (unknown key + the real key missing); the unknown key is the useful one, so it wins.
 */
export function describeIssues(error: $ZodError, schema: $ZodType, input: unknown): IssueReport {
  const issues = [...error.issues].sort((a, b) => rankIssue(a) - rankIssue(b));
  const issue = issues[0]!;
  const lastKey = issue.path.length ? String(issue.path[issue.path.length - 1]) : "";
  const echo =
    ECHO_SAFE_KEYS.has(lastKey) ||
    (typeof issue.path[issue.path.length - 1] === "number" &&
      ECHO_SAFE_KEYS.has(String(issue.path[issue.path.length - 2])));
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0] ?? "";
      const known = knownKeysAt(schema, issue.path);
      if (!PLAIN_KEY.test(key) || looksLikeCredential(key)) {
        // Not a name anyone types as a key: say so without quoting it (it may be a secret).
        return {
          path: jsonPath(issue.path),
          message: `an unknown key that is not a plain name (not shown${issue.keys.length > 1 ? `; ${issue.keys.length} unknown keys in all` : ""})`,
          hint: `is this file a socket-notify config? Known keys here: ${known.join(", ")}`,
        };
      }
      const guess = suggest(key, known);
      const path = jsonPath([...issue.path, key]);
      return {
        path,
        message: `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ""}`,
        hint: guess ? `rename it to "${guess}"` : `remove it; known keys here: ${known.join(", ")}`,
      };
    }
    case "invalid_type": {
      const expected = issue.expected;
      const got = describeValue(value, echo);
      if (expected === "array" && typeof value === "string") {
        return {
          path: jsonPath(issue.path),
          message: `expected a list, got ${got}`,
          hint: echo ? `write it as a list: [${JSON.stringify(value)}]` : 'write it as a list: ["…"]',
        };
      }
      if (value === undefined) {
        return { path: jsonPath(issue.path), message: "is required but missing", hint: `add "${lastKey}"` };
      }
      return {
        path: jsonPath(issue.path),
        message: `expected ${article(expected)}, got ${got}`,
        hint: `change it to ${article(expected)}`,
      };
    }
    case "invalid_value": {
      const values = issue.values.map((v) => JSON.stringify(v));
      if (value === undefined)
        return {
          path: jsonPath(issue.path),
          message: "is required but missing",
          hint: `add "${lastKey}": ${values.join(" or ")}`,
        };
      return {
        path: jsonPath(issue.path),
        message: `${describeValue(value, echo)} is not allowed`,
        hint: `use one of ${values.join(", ")}`,
      };
    }
    case "too_small":
    case "too_big": {
      // zod's own wording ("Too small: expected array to have >=1 items") is not for users.
      const small = issue.code === "too_small";
      const n = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
      const bound = small ? (issue.inclusive === false ? n + 1 : n) : issue.inclusive === false ? n - 1 : n;
      const what = issue.origin === "array" ? "item" : issue.origin === "string" ? "character" : undefined;
      if (what) {
        const count = `${bound} ${what}${bound === 1 ? "" : "s"}`;
        if (small && bound === 1)
          return {
            path: jsonPath(issue.path),
            message: what === "item" ? "must not be an empty list" : "must not be empty",
            hint: what === "item" ? "add at least one entry" : "give a value",
          };
        return {
          path: jsonPath(issue.path),
          message: `needs at ${small ? "least" : "most"} ${count}`,
          hint: `give at ${small ? "least" : "most"} ${count}`,
        };
      }
      return {
        path: jsonPath(issue.path),
        message: `${describeValue(value, true)} is too ${small ? "small" : "large"}`,
        hint: `use a number ${small ? "of at least" : "of at most"} ${bound}`,
      };
    }
    default: {
      const [msg, hint] = issue.message.split(" | hint: ");
      return {
        path: jsonPath(issue.path),
        message: msg ?? issue.message,
        hint: hint ?? "see `socket-notify schema` for the allowed shape",
      };
    }
  }
}

function rankIssue(i: $ZodIssue): number {
  if (i.code === "unrecognized_keys") return 0;
  if (i.code === "invalid_type" && i.input === undefined) return 2;
  return 1;
}

function article(t: string): string {
  const names: Record<string, string> = {
    array: "a list",
    object: "an object",
    record: "an object",
    map: "an object",
    tuple: "a list",
    string: "a string",
    number: "a number",
    boolean: "true or false",
    int: "a whole number",
  };
  return names[t] ?? t;
}

/** Parse with a schema; on failure throw a one-line UserError naming file and JSON path. */
export function parseOrThrow<S extends $ZodType>(
  schema: S,
  input: unknown,
  where: { file: string; code: ErrorCode; what: string },
): output<S> {
  // jitless: a config, options or facts file is parsed once, and zod's compiled object parser
  // (a `new Function` per schema) costs more to make than it saves on one parse (bench figure 5).
  const result = safeParse(schema, input, { reportInput: true, jitless: true });
  if (result.success) return result.data;
  const r = describeIssues(result.error, schema, input);
  throw new UserError(where.code, `${where.file}: ${r.path || "(top level)"}: ${r.message}`, {
    file: where.file,
    path: r.path,
    hint: r.hint,
  });
}
