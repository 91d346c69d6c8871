import { inspect } from "node:util";

/**
 * A credential (webhook URL, bot token) that cannot be printed by accident: string
 * conversion, JSON and `util.inspect` all give the redacted form. Only `reveal()` returns
 * the value, and only transport code calls it.
 */
// Recognised across copies of core (a plugin's own next to the CLI's bundle), like errors.ts.
const SECRET_BRAND = Symbol.for("socket-notify:secret");

/** A credential that cannot be printed by accident: `String()`, JSON and inspection show its redacted form; `reveal()` gives the value. */
export class Secret {
  static [Symbol.hasInstance](value: unknown): boolean {
    return (value as { [SECRET_BRAND]?: unknown } | null)?.[SECRET_BRAND] === true;
  }

  readonly #value: string;
  /** What may be shown to a user, e.g. `hooks.slack.com/services/T…/B…/****`. */
  readonly redacted: string;

  /**
   * The environment variable it comes from was not set, and the run does not need it
   * (dry run, validate): the value is empty and checks of its shape are skipped.
   */
  readonly missing: boolean;

  constructor(value: string, redacted = "****", missing = false) {
    Object.defineProperty(this, SECRET_BRAND, { value: true });
    this.#value = value;
    this.redacted = redacted;
    this.missing = missing;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return this.redacted;
  }

  toJSON(): string {
    return this.redacted;
  }

  [inspect.custom](): string {
    return `Secret(${this.redacted})`;
  }

  /** Node's `console.log` of a template literal calls this. */
  [Symbol.toPrimitive](): string {
    return this.redacted;
  }
}

/**
 * Replace every occurrence of the given secrets (and their URL-encoded forms) in text.
 * Used on error messages that come from SDKs or servers and may echo a URL or token.
 *
 * Takes any value (an error's `code` can be a number, a field can be undefined): a scrubber
 * that throws on what it is given would turn a delivery failure into a crash. Matching is
 * case-insensitive: a server may echo `HOOKS.SLACK.COM/…` lowercased, or the other way round.
 */
export function scrubSecrets(text: unknown, secrets: Iterable<Secret>): string {
  let out = typeof text === "string" ? text : text === undefined || text === null ? "" : printable(text);
  for (const s of secrets) {
    const pattern = patternOf(s);
    if (pattern) out = out.replace(pattern, () => s.redacted);
  }
  return out;
}

/** Each secret's forms as one pattern, made once: a run scrubs every line it prints. */
const patterns = new WeakMap<Secret, RegExp | null>();
function patternOf(s: Secret): RegExp | null {
  let pattern = patterns.get(s);
  if (pattern !== undefined) return pattern;
  const raw = s.reveal();
  // Too short to be a credential: replacing would mangle text.
  const forms =
    raw.length < 6
      ? []
      : [...new Set([raw, encodedForm(raw), raw.replace(/^https?:\/\//i, ""), ...urlParts(raw)])].filter(
          (f) => f.length >= 6,
        );
  // Longest first, so a whole URL is replaced before its path on its own.
  forms.sort((a, b) => b.length - a.length);
  pattern = forms.length ? new RegExp(forms.map(escapeRegExp).join("|"), "gi") : null;
  patterns.set(s, pattern);
  return pattern;
}

/** String(value), which throws for an object without a prototype or with a throwing toString. */
function printable(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "[unprintable value]";
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** URL-encoded form; a lone surrogate (which encodeURIComponent throws on) has none. */
function encodedForm(raw: string): string {
  try {
    return encodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The parts of a secret URL a server may echo on their own: path and query, and long path
 * segments or query values (the token in `/services/T…/B…/<token>`, `?key=<token>`).
 */
function urlParts(raw: string): string[] {
  if (!/^https?:\/\//i.test(raw)) return [];
  try {
    const u = new URL(raw);
    // The canonical form too (lower-case host, default port dropped): what an SDK echoes.
    const parts = [
      u.href,
      u.href.replace(/^https?:\/\//, ""),
      u.pathname + u.search,
      ...u.pathname.split("/"),
      // A webhook URL has no query: URLSearchParams is made only when there is one.
      ...(u.search ? [...u.searchParams.values()] : []),
    ];
    return parts.filter((p) => p.length >= 16 || (p.startsWith("/") && p.length >= 6));
  } catch {
    return [];
  }
}

/** Display form of a Slack webhook URL: host, path shape, no secret. */
export function redactWebhookUrl(url: string): string {
  try {
    const u = new URL(url);
    const parts = u.pathname.split("/").filter(Boolean);
    if (parts[0] === "services" && parts.length >= 4) {
      const t = (parts[1] ?? "").slice(0, 1) || "T";
      const b = (parts[2] ?? "").slice(0, 1) || "B";
      return `${u.host}/services/${t}…/${b}…/****`;
    }
    return `${u.host}/****`;
  } catch {
    return "****";
  }
}

/**
 * Slack credentials recognised by their shape, for text that no `Secret` covers (a value echoed
 * from a config that failed to load, a URL quoted back by an SDK): incoming-webhook URLs (also
 * on loopback, the emulator) and bot, user and app-level tokens. Case-insensitive: host names
 * are, and `HOOKS.SLACK.COM/services/…` works as a webhook URL.
 */
const SLACK_WEBHOOK_URL =
  /(?:https?:\/\/)?(?:hooks\.slack(?:-gov)?\.com|(?:127\.0\.0\.1|localhost|\[::1\]):\d+)\/services\/[A-Za-z0-9_]+\/[A-Za-z0-9_]+\/[A-Za-z0-9_]+/gi;
const SLACK_TOKEN = /\b(xox[abpre]|xapp)-[A-Za-z0-9-]+/gi;

/**
 * Other well-known credential shapes, redacted wherever they appear (they may be quoted back
 * from a file the search found, or from the environment): GitHub, GitLab and npm tokens, AWS
 * access key ids, JWTs (GitHub's OIDC tokens among them), private keys and the password in a
 * URL's userinfo (`https://user:pass@host`).
 */
const OTHER_CREDENTIALS: [RegExp, string][] = [
  [/\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{16,}/g, "$1****"],
  [/\b(glpat-)[A-Za-z0-9_-]{16,}/g, "$1****"],
  [/\b(npm_)[A-Za-z0-9]{30,}/g, "$1****"],
  [/\b((?:AKIA|ASIA)[0-9A-Z]{16})\b/g, "AWS-key-****"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, "JWT-****"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, "PRIVATE-KEY-****"],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, "$1****@"],
];

/**
 * Whether the text has a piece every Slack credential shape above needs. Most text a run checks
 * or prints (paths, package names, counts) has none, and then no pattern is compiled or run:
 * compiling the case-insensitive ones was a visible part of a start (bench/README.md, figure 5).
 */
function maySlackCredential(lower: string): boolean {
  return lower.includes("/services/") || lower.includes("xox") || lower.includes("xapp");
}

/** The same for the other shapes (each needs one of these pieces, in this case). */
function mayOtherCredential(text: string, lower: string): boolean {
  return (
    text.includes("gh") ||
    text.includes("github_pat_") ||
    text.includes("glpat-") ||
    text.includes("npm_") ||
    text.includes("AKIA") ||
    text.includes("ASIA") ||
    text.includes("eyJ") ||
    text.includes("-----BEGIN ") ||
    (lower.includes("://") && text.includes("@"))
  );
}

// Non-global copies for `test`, made on first use (a global regex's `test` keeps state).
let slackTests: RegExp[] | undefined;
let otherTests: RegExp[] | undefined;

/** Whether a string looks like a Slack webhook URL or token (e.g. a literal secret in a config file). */
export function looksLikeSlackCredential(text: string): boolean {
  if (!maySlackCredential(text.toLowerCase())) return false;
  slackTests ??= [SLACK_WEBHOOK_URL, SLACK_TOKEN].map((re) => new RegExp(re.source, "i"));
  return slackTests.some((re) => re.test(text));
}

/** Whether a string has the shape of any credential socket-notify recognises (Slack or other). */
export function looksLikeCredential(text: string): boolean {
  if (looksLikeSlackCredential(text)) return true;
  if (!mayOtherCredential(text, text.toLowerCase())) return false;
  otherTests ??= OTHER_CREDENTIALS.map(([re]) => new RegExp(re.source, re.flags.replace("g", "")));
  return otherTests.some((re) => re.test(text));
}

/** Every Slack webhook URL and token in the text, in its redacted display form. */
export function redactSlackCredentials(text: string): string {
  if (!maySlackCredential(text.toLowerCase())) return text;
  return text
    .replace(SLACK_WEBHOOK_URL, (url) => redactWebhookUrl(/^https?:\/\//i.test(url) ? url : `https://${url}`))
    .replace(SLACK_TOKEN, (_m, kind: string) => `${kind}-****`);
}

/** Every credential socket-notify recognises by its shape (Slack's and the others above), redacted. */
export function redactCredentials(text: string): string {
  let out = redactSlackCredentials(text);
  if (!mayOtherCredential(out, out.toLowerCase())) return out;
  for (const [re, to] of OTHER_CREDENTIALS) out = out.replace(re, to);
  return out;
}

// Names of environment variables that hold credentials by convention. PWD/OLDPWD (paths) and
// *_KEY_ID-less lookalikes are fine to scrub anyway; what matters is that nothing secret is missed.
// Plain string tests on the upper-cased name (pieces anywhere; words between underscores, or a
// word's start for AUTH): a run checks every variable of a CI environment, and the one pattern
// this replaces cost ~0.5 ms to compile and run on a start (bench/README.md, figure 5).
const CREDENTIAL_NAME_PIECES = [
  "TOKEN",
  "SECRET",
  "PASSWD",
  "PASSWORD",
  "PASSPHRASE",
  "APIKEY",
  "API_KEY",
  "ACCESSKEY",
  "ACCESS_KEY",
  "PRIVATE",
  "CREDENTIAL",
  "COOKIE",
  "SESSION",
  "SIGNING",
  "WEBHOOK",
  "CONNSTR",
  "CONN_STR",
  "CONNECTIONSTR",
  "CONNECTION_STR",
  "DATABASE_URL",
];
const CREDENTIAL_NAME_WORDS = new Set(["PASS", "PW", "DSN", "KEY"]);

function isCredentialName(name: string): boolean {
  if (name === "PWD" || name === "OLDPWD") return false;
  const upper = name.toUpperCase();
  if (CREDENTIAL_NAME_PIECES.some((piece) => upper.includes(piece))) return true;
  return upper.split("_").some((word) => CREDENTIAL_NAME_WORDS.has(word) || word.startsWith("AUTH"));
}
// Values that are never secrets however the variable is named: booleans, small numbers, paths.
const HARMLESS_WORDS = new Set(["true", "false", "yes", "no", "on", "off", "none", "null", "undefined"]);
function isHarmlessValue(v: string): boolean {
  return HARMLESS_WORDS.has(v.toLowerCase()) || (v.length <= 6 && /^\d+$/.test(v));
}

/**
 * The values of the environment that look like credentials: by the variable's name (…TOKEN,
 * …SECRET, …PASSWORD, …API_KEY, AWS_SECRET_ACCESS_KEY, …) or by the value's shape (a Slack,
 * GitHub, npm or AWS credential, a JWT, a URL with a password), whatever the name. They are
 * scrubbed from every line socket-notify prints, reports or stores: a config file the search
 * found may be a link to `/proc/self/environ`, and an SDK may quote a header back.
 */
export function environmentSecrets(env: Readonly<Record<string, string | undefined>>): Secret[] {
  const out: Secret[] = [];
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== "string") continue;
    const v = value.trim();
    if (v.length < 6 || isHarmlessValue(v) || seen.has(v)) continue;
    if (isCredentialName(name) || looksLikeCredential(v)) {
      seen.add(v);
      out.push(new Secret(v, `$${name.replace(/[^A-Za-z0-9_]/g, "")}(****)`));
    }
  }
  return out;
}
