/**
 * Property-based fuzzing of the CLI (issue 9): arbitrary reports (valid-shaped with arbitrary
 * strings and numbers, and structurally mutated or truncated JSON) and arbitrary configs go
 * through `main()` in-process with `--dry-run --out DIR`. Properties: it never crashes (exit 0
 * or 2; on 2 one `socket-notify: error:` line and no stack trace), the terminal never gets raw
 * control characters, and every planned payload is within Slack's limits and inert.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@socket-notify/cli";
import { validateMessage } from "@socket-notify/slack-emulator";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const HOOK = "https://hooks.slack.com/services/T0FUZZ01/B0FUZZ02/fuzzSECRETfuzzSECRET";
const TOKEN = "xoxb-1234-fuzzSECRET";

const HOSTILE = [
  "<!channel>",
  "<!here>",
  "<@U123>",
  "<#C1|x>",
  "<https://evil.example|socket.dev>",
  "&lt;",
  "*",
  "_",
  "`",
  "~",
  "\u202e",
  "\u0000",
  "\u001b[31m",
  "@everyone",
  "\r\n",
  "|",
  "\ud800",
];

/** Strings as registries and pull requests may give them: anything, hostile pieces, long ones. */
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 5 })), { maxLength: 12 })
      .map((a) => a.join("")),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("x", "<!here>", "é", "😀", "&"), fc.integer({ min: 200, max: 6000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);
const url = fc.oneof(
  fc.webUrl(),
  text,
  fc.constantFrom("javascript:alert(1)", "https://socket.dev/x|y", "https://socket.dev/<!here>", "data:,x"),
);
const severity = fc.constantFrom("critical", "high", "medium", "middle", "low", "HIGH", "Low");
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });

const issue = fc.record(
  {
    pkg_type: fc.oneof(fc.constantFrom("npm", "pypi", "maven", "gem"), text),
    pkg_name: text,
    pkg_version: opt(fc.oneof(text, fc.constant(null))),
    type: fc.oneof(fc.constantFrom("malware", "criticalCVE", "cve", "didYouMean", "installScripts", "envVars"), text),
    severity,
    title: opt(text),
    description: opt(text),
    suggestion: opt(text),
    props: opt(
      fc.dictionary(fc.constantFrom("ghsaId", "cveId", "note", "x"), fc.oneof(text, fc.integer(), fc.constant(null))),
    ),
    purl: opt(text),
    url: opt(url),
    introduced_by: opt(fc.array(fc.array(text, { maxLength: 3 }), { maxLength: 8 })),
    manifests: opt(text),
    error: opt(fc.boolean()),
    warn: opt(fc.boolean()),
    monitor: opt(fc.boolean()),
  },
  { requiredKeys: ["pkg_type", "pkg_name", "type", "severity"] },
);

const validReport = fc.record(
  {
    scan_failed: opt(fc.boolean()),
    full_scan_id: opt(text),
    repo: opt(text),
    branch: opt(text),
    commit_sha: opt(text),
    pr_number: opt(fc.oneof(text, fc.integer())),
    diff_url: opt(url),
    report_url: opt(url),
    new_alerts: fc.array(issue, { maxLength: 40 }),
    unchanged_alerts: opt(fc.array(issue, { maxLength: 5 })),
  },
  { requiredKeys: ["new_alerts"] },
);

/** Replace the value at a random path with any JSON value, or delete it. */
function mutate(value: unknown, path: number[], replacement: unknown, remove: boolean): unknown {
  if (!path.length || value === null || typeof value !== "object") return replacement;
  const keys = Object.keys(value);
  if (!keys.length) return replacement;
  const key = keys[path[0]! % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(value)
    ? ([...value] as unknown as Record<string, unknown>)
    : { ...(value as Record<string, unknown>) };
  if (remove && path.length === 1 && !Array.isArray(value)) delete copy[key];
  else copy[key] = mutate(copy[key], path.slice(1), replacement, remove);
  return copy;
}

const reportText = fc.oneof(
  { weight: 5, arbitrary: validReport.map((r) => JSON.stringify(r)) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        validReport,
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.jsonValue({ maxDepth: 2 }),
        fc.boolean(),
      )
      .map(([r, p, v, del]) => JSON.stringify(mutate(r, p, v, del))),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(validReport, fc.nat()).map(([r, n]) => {
      const s = JSON.stringify(r);
      return s.slice(0, n % (s.length + 1));
    }),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
);

const filter = fc.record(
  {
    severities: opt(fc.array(fc.oneof(severity, text), { maxLength: 3 })),
    min_severity: opt(fc.oneof(severity, text)),
    alert_types: opt(fc.array(fc.oneof(fc.constantFrom("malware", "cve"), text), { maxLength: 3 })),
    exclude_alert_types: opt(fc.array(text, { maxLength: 2 })),
    levels: opt(fc.array(fc.constantFrom("block", "warn"), { maxLength: 2 })),
    repos: opt(fc.array(text, { maxLength: 2 })),
    max_messages: opt(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer())),
  },
  { requiredKeys: [] },
);

const webhookConfig = fc.record(
  {
    mode: opt(fc.constant("webhook")),
    url: fc.oneof(
      fc.constant(HOOK),
      fc.constant([HOOK, HOOK.replace("B0FUZZ02", "B0FUZZ03")]),
      fc.constant([{ url: HOOK, name: "sec" }]),
    ),
    max_messages: opt(fc.integer({ min: 1, max: 100 })),
    levels: opt(fc.array(fc.constantFrom("block", "warn"), { maxLength: 2 })),
    enabled: opt(fc.boolean()),
    url_configs: opt(
      fc.dictionary(fc.constantFrom("default", "webhook_0", "webhook_1", "sec"), filter, { maxKeys: 2 }),
    ),
  },
  { requiredKeys: ["url"] },
);
const botConfig = fc.record({
  mode: fc.constant("bot"),
  bot_token: fc.constant(TOKEN),
  bot_configs: fc.array(
    fc
      .tuple(
        opt(text),
        fc.array(fc.oneof(fc.constantFrom("security", "#ops", "C0123456789"), text), { minLength: 1, maxLength: 3 }),
        filter,
      )
      .map(([name, channels, f]) => ({ ...(name === undefined ? {} : { name }), channels, ...f })),
    { minLength: 1, maxLength: 3 },
  ),
});
const configText = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(webhookConfig, botConfig).map((c) => JSON.stringify(c)) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.oneof(webhookConfig, botConfig),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.jsonValue({ maxDepth: 2 }),
        fc.boolean(),
      )
      .map(([c, p, v, del]) => JSON.stringify(mutate(c, p, v, del))),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(webhookConfig, fc.nat()).map(([c, n]) => {
      const s = JSON.stringify(c);
      return s.slice(0, n % (s.length + 1));
    }),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? "null") },
);

/** A report that always parses, for the config property. */
const FIXED_REPORT = JSON.stringify({
  scan_failed: true,
  full_scan_id: "s",
  repo: "acme/web",
  new_alerts: [
    {
      pkg_type: "npm",
      pkg_name: "evil",
      pkg_version: "1.0.0",
      type: "malware",
      severity: "critical",
      title: "Malware",
      error: true,
    },
    {
      pkg_type: "npm",
      pkg_name: "lodash",
      pkg_version: "4.17.20",
      type: "cve",
      severity: "high",
      title: "CVE",
      warn: true,
    },
    { pkg_type: "pypi", pkg_name: "requests", pkg_version: "2.0", type: "envVars", severity: "low", warn: true },
  ],
});

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fuzz-cli-"));
  await writeFile(join(dir, "package.json"), '{"name": "fixture"}');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Raw control characters (ANSI escapes, NUL, CR) in terminal output could rewrite a CI log.
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
const MENTION = /<[!@#]/;

async function runCli(report: string, config: string): Promise<void> {
  const id = ++n;
  const reportPath = join(dir, `r${id}.json`);
  const configPath = join(dir, `c${id}.json`);
  const out = join(dir, `out${id}`);
  await writeFile(reportPath, report);
  await writeFile(configPath, config);
  let stdout = "";
  let stderr = "";
  const code = await main(["send", reportPath, "--config", configPath, "--dry-run", "--out", out], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: dir,
  });
  const ctx = `exit ${code}\n${stderr}`;
  expect([0, 2], ctx).toContain(code);
  expect(stderr, ctx).not.toContain("internal error");
  expect(stderr, ctx).not.toMatch(/^\s+at /m);
  expect(
    TERMINAL_CONTROL.test(stdout + stderr),
    `raw control character on the terminal: ${JSON.stringify((stdout + stderr).match(TERMINAL_CONTROL)?.[0])}`,
  ).toBe(false);
  expect(stdout + stderr).not.toContain("SECRET");
  if (code === 2) {
    const errors = stderr.split("\n").filter((l) => l.startsWith("socket-notify: error: "));
    expect(errors, ctx).toHaveLength(1);
  } else {
    const files = (await readdir(out).catch(() => [] as string[])).filter((f) => f !== "report.json");
    for (const f of files) {
      const text = await readFile(join(out, f), "utf8");
      expect(text).not.toContain("SECRET");
      const { payload } = JSON.parse(text) as {
        payload: {
          text: string;
          blocks: { type: string; text?: { type: string; text: string; verbatim?: boolean } }[];
        };
      };
      const v = validateMessage(payload);
      expect(v.ok, `${f}: ${JSON.stringify(v)}`).toBe(true);
      expect(payload.blocks.length).toBeLessThanOrEqual(50);
      let total = 0;
      for (const b of payload.blocks) {
        const t = b.text?.text ?? "";
        total += t.length;
        if (b.type === "header") expect(t.length, f).toBeLessThanOrEqual(150);
        if (b.type === "section") expect(t.length, f).toBeLessThanOrEqual(3000);
        if (b.text?.type === "mrkdwn") expect(b.text.verbatim, f).toBe(true);
        expect(t, f).not.toMatch(MENTION);
        expect(
          TERMINAL_CONTROL.test(t.replace(/\t/g, "")),
          `${f}: control character in ${JSON.stringify(t.slice(0, 100))}`,
        ).toBe(false);
      }
      expect(total, f).toBeLessThanOrEqual(12000);
      expect(payload.text.length, f).toBeLessThanOrEqual(40000);
      expect(payload.text, f).not.toMatch(MENTION);
    }
  }
}

const WEBHOOK_CONFIG = JSON.stringify({ url: HOOK, url_configs: { default: { max_messages: 100 } } });

describe("fuzz: the CLI never crashes and never plans a message beyond Slack's limits", () => {
  it("arbitrary and mutated reports", async () => {
    await fc.assert(
      fc.asyncProperty(reportText, async (r) => runCli(r, WEBHOOK_CONFIG)),
      { numRuns: 250 },
    );
  });

  it("arbitrary and mutated configs", async () => {
    await fc.assert(
      fc.asyncProperty(configText, async (c) => runCli(FIXED_REPORT, c)),
      { numRuns: 250 },
    );
  });

  it("both at once", async () => {
    await fc.assert(
      fc.asyncProperty(reportText, configText, async (r, c) => runCli(r, c)),
      { numRuns: 100 },
    );
  });
});
