import { UserError } from "../errors.js";
import { describeJsonError } from "../json-error.js";
import { forgeFromRepoUrl } from "../blocks/forge.js";
import { type Alert, type AlertAction, type IntroducedBy, type ScanContext, type ScanInput } from "../model.js";
import { parseSeverity } from "../severity.js";
import { parseOrThrow } from "../zod-issues.js";
import * as z from "zod/mini";
import { ParsedAlert, type StoredAlertFields } from "./alert.js";
import { checkRegularFile, readRegularFile, readStdinBounded } from "./read-file.js";
import { streamScanFile } from "./stream.js";
import { type Issue, IssueSchema, ScanSchema, type ScanJson } from "./schema.js";

export interface ParseOptions {
  /** Shown in errors; `-` or `stdin` for standard input. */
  source?: string;
  /** Include `unchanged_alerts` (the CLI's `--strict-blocking`). */
  strictBlocking?: boolean;
}

/** The Socket CLI logs its JSON with Python's logging prefix: `2024-05-01 12:00:00,123: {…}`. */
const LOG_PREFIX = /^\s*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[,.]\d+)?\s*(?:[A-Z]+\s*)?:?\s*/;

export interface ReadScanOptions extends Omit<ParseOptions, "source"> {
  /**
   * Files of at least this many bytes are read alert by alert, so memory follows the alerts, not
   * the text (bench figure 6); smaller ones are read whole and parsed natively, which is faster
   * (figure 5: the byte-by-byte scan of a small report cost a CLI start ~1 ms). Default 4 MiB.
   * The result is the same either way.
   */
  streamFromBytes?: number;
}

const STREAM_FROM_BYTES = 4 * 1024 * 1024;

/**
 * Larger reports are refused: far beyond any real scan (100,000 alerts are 59 MB), and a bound
 * on what a path that is not a report (a growing log, `/proc`) can cost. Read alert by alert.
 */
export const MAX_SCAN_BYTES = 2 * 1024 * 1024 * 1024;
/** Standard input and reports under `streamFromBytes` are read whole: a JS string's limit is about 512 MiB. */
const MAX_WHOLE_BYTES = 256 * 1024 * 1024;

const SCAN_HINT = "pass the file the Socket CLI wrote with --enable-json (or --json-file), or - to read stdin";

/**
 * Read a report or diff from a file path, or `-` for stdin. Only a regular file (a device, FIFO
 * or socket behind the path is refused: it could hang the run or never end), at most
 * `MAX_SCAN_BYTES`; a `UserError` (exit 2) otherwise.
 */
export async function readScanFile(path: string, options: ReadScanOptions = {}): Promise<ScanInput> {
  const source = path === "-" ? "stdin" : path;
  const streamFrom = options.streamFromBytes ?? STREAM_FROM_BYTES;
  const limits = { what: "the scan report", hint: SCAN_HINT, maxBytes: MAX_SCAN_BYTES };
  const size = path === "-" ? 0 : await checkRegularFile(path, limits, source);
  if (path !== "-" && (streamFrom <= 0 || size >= streamFrom)) {
    const streamed = await streamScan(path, source, options.strictBlocking ?? false).catch(() => undefined);
    if (streamed) return streamed;
  }
  const whole = { ...limits, maxBytes: MAX_WHOLE_BYTES };
  let text = path === "-" ? await readStdinBounded(whole) : await readRegularFile(path, whole, source);
  // Handed over in a box so parseScan can drop the text once it is parsed (figure 6: the text,
  // the JSON tree and the alerts must not all be alive at once).
  const box: { text?: string } = { text };
  text = "";
  const parseOptions: ParseOptions = { source };
  if (options.strictBlocking !== undefined) parseOptions.strictBlocking = options.strictBlocking;
  return parseBoxed(box, parseOptions);
}

/** Parse the text of a Socket CLI `--enable-json` report or a scan diff. */
export function parseScan(text: string, options: ParseOptions = {}): ScanInput {
  return parseBoxed({ text }, options);
}

/** The top level without copying the alert lists: each issue is validated on its own below. */
const anyList = z.array(z.unknown());
const ScanTopSchema = z.extend(ScanSchema, {
  new_alerts: anyList,
  unchanged_alerts: z.nullish(anyList),
  removed_alerts: z.nullish(anyList),
});

/**
 * The file read in chunks, each issue validated and turned into an alert as soon as it is parsed
 * (figure 6: the whole text and JSON tree are never in memory). Undefined when anything is not
 * plainly valid: the caller then parses the whole text, which gives the exact error.
 */
async function streamScan(path: string, source: string, strict: boolean): Promise<ScanInput | undefined> {
  const shared = new SharedAlertValues();
  const fresh: Alert[] = [];
  const unchanged: Alert[] = [];
  const streamed = await streamScanFile(path, (list, issue) => {
    if (!IssueSchema.safeParse(issue).success) return false;
    if (list === "new_alerts") fresh.push(toAlert(issue as Issue, "new", shared));
    else if (list === "unchanged_alerts" && strict) unchanged.push(toAlert(issue as Issue, "unchanged", shared));
    return true;
  });
  if (!streamed) return undefined;
  const json = streamed.skeleton;
  if (json === null || typeof json !== "object" || Array.isArray(json) || !("new_alerts" in json)) return undefined;
  const kind = recognise(json, source);
  const top = ScanTopSchema.safeParse(json, ONCE);
  if (!top.success) return undefined;
  const scan = top.data as ScanJson;
  return build(scan, kind, fresh, unchanged, strict ? 0 : (streamed.counts.unchanged_alerts ?? 0));
}

/** A schema used once per run: zod's compiled parser would cost more than it saves. */
const ONCE = { jitless: true } as const;
const COMPILE_FROM = 200;

function parseBoxed(box: { text?: string }, options: ParseOptions): ScanInput {
  const source = options.source ?? "input";
  const json = extractJson(box.text ?? "", source);
  box.text = undefined;
  const kind = recognise(json, source);
  const where = { file: source, code: "input_invalid", what: "scan" } as const;
  // zod's validated copy of 100,000 issues would double the memory of the tree: validate the
  // top level and each issue on its own, keep no copy, and normalise from the parsed tree. On
  // any failure, parse it all with ScanSchema so the error (its JSON path, which issue zod
  // reports first) is exactly the one a whole-tree parse gives.
  const top = ScanTopSchema.safeParse(json, ONCE);
  const lists = [top.data?.new_alerts, top.data?.unchanged_alerts, top.data?.removed_alerts];
  const issues = lists.reduce((n, l) => n + (l?.length ?? 0), 0);
  // zod compiles an object schema's fast parser on its first parse: that pays for a long list
  // of issues, not for a few (bench figures 5 and 6).
  const each = issues < COMPILE_FROM ? ONCE : undefined;
  if (
    !top.success ||
    !lists.every((l) => l === undefined || l === null || l.every((i) => IssueSchema.safeParse(i, each).success))
  ) {
    parseOrThrow(ScanSchema, json, where);
  }
  // Validated: the tree has the shape of ScanJson (IssueSchema only checks, it changes nothing).
  return normalise(json as ScanJson, top.data as ScanJson, kind, options.strictBlocking ?? false);
}

function recognise(json: unknown, source: string): ScanInput["format"] {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    const what = Array.isArray(json) ? "a list" : json === null ? "null" : `a ${typeof json}`;
    throw new UserError("input_invalid", `${source}: expected a JSON object (a Socket scan report), got ${what}`, {
      file: source,
      hint: "pass the object the Socket CLI prints with --enable-json, or a scan diff with new_alerts",
    });
  }
  const o = json as Record<string, unknown>;
  if ("new_alerts" in o) return "scan_failed" in o || "full_scan_id" in o ? "enable-json-report" : "scan-diff";
  if ("components" in o) {
    throw new UserError("input_invalid", `${source}: this is a reachability facts file, not a scan report`, {
      file: source,
      hint: "pass it with --facts and give the scan report as the input",
    });
  }
  if ("data" in o && typeof o.data === "object" && o.data !== null && "artifacts" in (o.data as object)) {
    throw new UserError(
      "input_invalid",
      `${source}: this is a raw Socket API diff (stream_diff), which has no policy actions`,
      {
        file: source,
        hint: "run the Socket CLI with --enable-json and pass its report instead",
      },
    );
  }
  if ("blocks" in o || "body" in o) {
    throw new UserError("input_invalid", `${source}: this is a Slack message payload, not a scan report`, {
      file: source,
      hint: "pass the Socket CLI --enable-json report",
    });
  }
  throw new UserError("input_invalid", `${source}: not a Socket scan report: no "new_alerts" key`, {
    file: source,
    path: "new_alerts",
    hint: "pass the object the Socket CLI prints with --enable-json, or a scan diff with new_alerts",
  });
}

function extractJson(text: string, source: string): unknown {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "") {
    throw new UserError("input_invalid", `${source}: the file is empty`, {
      file: source,
      hint: "the Socket CLI writes the report with --enable-json; check the step that produced it",
    });
  }
  if (/[\u0000-\u0008\u000e-\u001f]/.test(trimmed.slice(0, 512))) {
    throw new UserError("input_invalid", `${source}: this is a binary file, not JSON`, {
      file: source,
      hint: "pass the JSON report the Socket CLI wrote with --enable-json",
    });
  }
  try {
    return JSON.parse(trimmed);
  } catch {
    /* maybe log lines: below */
  }
  // Not plain JSON: look for the logged line(s), last one wins (it is the final report).
  const lines = trimmed.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.replace(LOG_PREFIX, "");
    if (!line.startsWith("{")) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === "object" && "new_alerts" in v) return v;
    } catch {
      /* keep looking */
    }
  }
  const stripped = trimmed.replace(LOG_PREFIX, "");
  if (stripped !== trimmed) {
    try {
      return JSON.parse(stripped);
    } catch {
      return throwSyntax(stripped, source);
    }
  }
  return throwSyntax(trimmed, source);
}

function throwSyntax(text: string, source: string): never {
  // Our own location and wording: Node's message lacks a position for most errors and quotes
  // the text around the error (json-error.ts).
  throw new UserError("input_invalid", `${source}: invalid JSON${describeJsonError(text)}`, {
    file: source,
    hint: "the input must be the JSON object the Socket CLI prints with --enable-json",
  });
}

/**
 * `tree` is the parsed JSON (its alert lists are emptied as they are turned into alerts, so the
 * tree and the alerts are not both alive); `scan` the validated top level.
 */
function normalise(tree: ScanJson, scan: ScanJson, format: ScanInput["format"], strict: boolean): ScanInput {
  const shared = new SharedAlertValues();
  const convert = (list: Issue[], origin: Alert["origin"]): Alert[] => {
    const out: Alert[] = [];
    for (let k = 0; k < list.length; k++) {
      out.push(toAlert(list[k]!, origin, shared));
      (list as unknown[])[k] = undefined; // the raw issue is no longer needed
    }
    list.length = 0;
    return out;
  };
  const unchangedCount = tree.unchanged_alerts?.length ?? 0;
  const fresh = convert(tree.new_alerts, "new");
  const unchanged = strict && tree.unchanged_alerts ? convert(tree.unchanged_alerts, "unchanged") : [];
  return build(scan, format, fresh, unchanged, strict ? 0 : unchangedCount);
}

/** New alerts first, then (under --strict-blocking) unchanged ones; the first of equal ids wins. */
function build(
  scan: ScanJson,
  format: ScanInput["format"],
  fresh: Alert[],
  unchanged: Alert[],
  unchangedIgnored: number,
): ScanInput {
  const context: ScanContext = {};
  const set = <K extends Exclude<keyof ScanContext, "forge">>(k: K, v: string | null | undefined) => {
    if (v !== undefined && v !== null && v !== "") context[k] = v;
  };
  set("repo", scan.repo);
  set("branch", scan.branch);
  set("commitSha", scan.commit_sha);
  // "0" is what the Socket CLI passes when there is no PR (B13: "for PR 0").
  if (scan.pr_number !== undefined && scan.pr_number !== null && String(scan.pr_number) !== "0")
    set("pr", String(scan.pr_number));
  set("diffUrl", scan.diff_url);
  set("reportUrl", scan.report_url);
  // A report whose `repo` is a URL on GitHub, GitLab or Bitbucket (`socket scan create --repo
  // "$CI_PROJECT_URL"`, a PR's page) names its forge: messages link the repository, PR and
  // commit even where the CI environment says nothing (a local run, another CI).
  const fromUrl = forgeFromRepoUrl(scan.repo ?? undefined);
  if (fromUrl) {
    context.repo = fromUrl.repo;
    context.forge = fromUrl.forge;
    if (fromUrl.pr && !context.pr) context.pr = fromUrl.pr;
    if (fromUrl.commitSha && !context.commitSha) context.commitSha = fromUrl.commitSha;
  }
  const scanId = scan.full_scan_id ?? scan.new_scan_id ?? scan.id;
  if (scanId && scanId !== "NO_DIFF_RAN") context.scanId = scanId;

  const seen = new Set<string>();
  const alerts: Alert[] = [];
  for (const list of [fresh, unchanged]) {
    for (const a of list) {
      if (seen.has(a.id)) continue;
      seen.add(a.id);
      alerts.push(a);
    }
  }
  const result: ScanInput = {
    format,
    alerts,
    context,
    duplicatesMerged: fresh.length + unchanged.length - alerts.length,
    unchangedIgnored,
  };
  if (typeof scan.scan_failed === "boolean") result.scanFailed = scan.scan_failed;
  return result;
}

function actionOf(i: Issue): AlertAction {
  if (i.error) return "block";
  if (i.warn) return "warn";
  if (i.monitor) return "monitor";
  if (i.ignore) return "ignore";
  return "warn";
}

function humanise(type: string): string {
  return type.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
}

/** Split the Socket CLI's pseudo-purl `[namespace/]name@version` to find the namespace. */
function namespaceOf(i: Issue): string | undefined {
  const purl = i.purl ?? "";
  const at = purl.lastIndexOf("@");
  const id = at > 0 ? purl.slice(0, at) : purl;
  const suffix = `/${i.pkg_name}`;
  return id.endsWith(suffix) && id.length > suffix.length ? id.slice(0, -suffix.length) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

/**
 * Values that repeat across the alerts of one input, kept once: ecosystems, types, titles,
 * descriptions and manifest paths, the `introducedBy` entries (a popular top-level dependency
 * pulls in many alerts) and manifest lists. Shared entries are frozen, so sharing is safe.
 */
const NO_ENTRIES = Object.freeze([]) as unknown as IntroducedBy[];

export class SharedAlertValues {
  readonly #strings = new Map<string, string>();
  // By manifest, then source: no key strings to build and keep (manifests are few).
  readonly #introduced = new Map<string, Map<string, IntroducedBy>>();
  readonly #manifests = new Map<string, readonly string[]>();
  readonly #single = new Map<IntroducedBy, IntroducedBy[]>();

  string(v: string): string {
    const known = this.#strings.get(v);
    if (known !== undefined) return known;
    this.#strings.set(v, v);
    return v;
  }

  introducedBy(source: string, manifest: string): IntroducedBy {
    let bySource = this.#introduced.get(manifest);
    if (!bySource) this.#introduced.set(manifest, (bySource = new Map()));
    let entry = bySource.get(source);
    if (!entry) {
      entry = Object.freeze({ source: this.string(source), manifest: this.string(manifest) });
      bySource.set(source, entry);
    }
    return entry;
  }

  /** One frozen list per distinct list of (shared) entries: most alerts repeat a few. */
  introducedByList(list: IntroducedBy[]): IntroducedBy[] {
    if (list.length === 0) return NO_ENTRIES;
    if (list.length > 1) return list;
    const only = list[0]!;
    let shared = this.#single.get(only);
    if (!shared) this.#single.set(only, (shared = Object.freeze([only]) as IntroducedBy[]));
    return shared;
  }

  manifests(list: string[]): string[] {
    const key = list.join("\n");
    let shared = this.#manifests.get(key);
    if (!shared) {
      shared = Object.freeze(list.map((m) => this.string(m)));
      this.#manifests.set(key, shared);
    }
    return shared as string[];
  }
}

/** Normalise one Socket CLI issue. `shared` (one per input) keeps repeated values once. */
export function toAlert(i: Issue, origin: Alert["origin"], shared?: SharedAlertValues): Alert {
  const intern = shared ? (v: string) => shared.string(v) : (v: string) => v;
  const version = i.pkg_version ?? "";
  const namespace = namespaceOf(i);
  const props = i.props ?? {};
  const introducedBy = (i.introduced_by ?? [])
    .filter((p) => p.length > 0)
    .map((p) => (shared ? shared.introducedBy(p[0] ?? "", p[1] ?? "") : { source: p[0] ?? "", manifest: p[1] ?? "" }));
  const manifestList = [
    ...new Set(
      (i.manifests ?? "")
        .split(";")
        .map((m) => m.trim())
        .filter(Boolean),
    ),
  ];
  const ghsa = str(props.ghsaId) ?? str(props.ghsa_id);
  const cve = str(props.cveId) ?? str(props.cve_id);
  // What makes an alert distinct beyond package and type: Socket's alert `key` when the report
  // has it, else the vulnerability id. Three criticalCVE alerts of one package are three
  // advisories (merging them could drop the reachable one); the Socket CLI's true duplicates
  // (the same alert listed twice, B10) share their key and still merge.
  const key = str(i.key);
  const distinct =
    key !== undefined
      ? `key:${key}`
      : ghsa !== undefined
        ? ghsa.toUpperCase()
        : cve !== undefined
          ? cve.toUpperCase()
          : "";
  // Joined, not a template literal: V8 keeps a template literal as a tree of its parts (a cons
  // string), about twice the memory of the flat string `join` makes, and ids live as long as
  // the alerts (figure 6 of the bench).
  const id = [
    i.pkg_type,
    "/",
    namespace ? `${namespace}/` : "",
    i.pkg_name,
    "@",
    version,
    "#",
    i.type,
    distinct ? "#" : "",
    distinct,
  ].join("");
  const fields: StoredAlertFields = {
    id,
    ecosystem: intern(i.pkg_type),
    name: i.pkg_name,
    version: shared ? shared.string(version) : version,
    type: intern(i.type),
    severity: parseSeverity(i.severity)!,
    action: actionOf(i),
    title: intern(str(i.title) ?? humanise(i.type)),
    description: intern(str(i.description) ?? ""),
    introducedBy: shared ? shared.introducedByList(introducedBy) : introducedBy,
    manifests: shared ? shared.manifests(manifestList) : manifestList,
    origin,
  };
  if (namespace) fields.namespace = namespace;
  // Same text for every alert of a type: interned like titles.
  const suggestion = str(i.suggestion);
  const nextStep = str(i.next_step_title);
  if (suggestion) fields.suggestion = intern(suggestion);
  if (nextStep) fields.nextStep = intern(nextStep);
  if (ghsa) fields.ghsaId = ghsa;
  if (cve) fields.cveId = cve;
  return new ParsedAlert(fields, str(i.url));
}
