import { inspect } from "node:util";

/**
 * Everything a value would show a user when printed, logged or serialised: strings as they
 * are, errors with message, stack, extra fields and cause chain, objects as JSON and as
 * `util.inspect` shows them (so a `Secret`'s redaction is honoured, a raw string is not).
 */
export function textOf(value: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (typeof v === "string") return void parts.push(v);
    if (typeof v !== "object" && typeof v !== "function") return void parts.push(String(v));
    if (seen.has(v)) return;
    seen.add(v);
    if (v instanceof Error) {
      parts.push(v.name, v.message, v.stack ?? "");
      for (const [k, x] of Object.entries(v)) if (k !== "cause") visit(x);
      visit((v as { cause?: unknown }).cause);
      if (v instanceof AggregateError) for (const e of v.errors) visit(e);
    }
    try {
      parts.push(
        JSON.stringify(v, (_k, x: unknown) =>
          typeof x === "bigint"
            ? String(x)
            : x instanceof Error
              ? { name: x.name, message: x.message, stack: x.stack }
              : x,
        ) ?? "",
      );
    } catch {
      /* circular: inspect below still shows it */
    }
    parts.push(inspect(v, { depth: 12, breakLength: Infinity, maxArrayLength: Infinity, maxStringLength: Infinity }));
  };
  visit(value);
  return parts.join("\n");
}

/** The forms a secret can leak in: as is, URL-encoded, and a URL without its scheme. */
function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), secret.replace(/^https?:\/\//, "")])].filter(
    (f) => f.length >= 6,
  );
}

/** A secret as it may be printed in a failing test: its first characters and its length. */
export function redactForDisplay(secret: string): string {
  const shown = /^https?:\/\//.test(secret) ? secret.replace(/^(https?:\/\/[^/]{0,40}).*$/, "$1/") : secret.slice(0, 4);
  return `${shown}****(${secret.length} chars)`;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "string") return `a string of ${v.length} chars`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Error) return v.name;
  if (typeof v === "object")
    return v.constructor?.name && v.constructor.name !== "Object" ? v.constructor.name : "an object";
  return typeof v;
}

/**
 * Throw if any secret (webhook URL, token) appears in any of the outputs a user can see:
 * stdout/stderr text, logger lines, errors, delivery reports, snapshots. The error names
 * which output held which secret (by index, or by key when given an object of named
 * outputs) and prints the secret redacted, so the check itself never leaks it.
 *
 * @example expectNoSecrets([stdout, stderr, logger.lines, report], [webhookUrl, token])
 * @example expectNoSecrets({ stdout, report }, [webhookUrl])
 */
export function expectNoSecrets(
  haystacks: unknown[] | Record<string, unknown>,
  secrets: readonly (string | { reveal(): string })[],
): void {
  const raw = secrets.map((s) => (typeof s === "string" ? s : s.reveal()));
  const tooShort = raw.filter((s) => s.length < 6);
  if (tooShort.length)
    throw new Error(
      `expectNoSecrets: ${tooShort.length} secret(s) shorter than 6 chars cannot be searched for reliably`,
    );
  const named: [string, unknown][] = Array.isArray(haystacks)
    ? haystacks.map((h, i) => [`output #${i}`, h])
    : Object.entries(haystacks);
  const found: string[] = [];
  for (const [name, value] of named) {
    const text = textOf(value);
    raw.forEach((secret, j) => {
      const form = forms(secret).find((f) => text.includes(f));
      if (form === undefined) return;
      const at = text.indexOf(form);
      const context = (
        text.slice(Math.max(0, at - 40), at) +
        "‹SECRET›" +
        text.slice(at + form.length, at + form.length + 40)
      ).replace(/\s+/g, " ");
      // Context may hold another secret: mask all of them before printing.
      const masked = raw.reduce((out, r) => forms(r).reduce((o, f) => o.split(f).join("‹SECRET›"), out), context);
      found.push(
        `${name} (${describe(value)}) contains secret #${j} ${redactForDisplay(secret)}${form !== secret ? " (encoded)" : ""}: …${masked}…`,
      );
    });
  }
  if (found.length) throw new Error(`secrets leaked:\n  ${found.join("\n  ")}`);
}
