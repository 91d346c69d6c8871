import { readRegularFile } from "../input/read-file.js";
import * as z from "zod/mini";
import { UserError } from "../errors.js";
import { describeJsonError } from "../json-error.js";
import { type ReachabilityState } from "../model.js";
import { parseSeverity, type Severity } from "../severity.js";
import { parseOrThrow } from "../zod-issues.js";

/**
 * `.socket.facts.json` (reference §2.4): the fields the Socket CLI reads, plus the aliases
 * Socket's TypeScript typings use (`state` for `type`, `sourceLocation.file` for `filename`).
 * Unknown fields are tolerated; a field of the wrong type is an error naming its JSON path.
 */
function buildSchemas() {
  // One instance per optional primitive, shared by every field: zod schemas are immutable.
  const str = z.nullish(z.string());
  const num = z.nullish(z.number());
  const bool = z.nullish(z.boolean());
  const Position = z.looseObject({ line: num, column: num });
  const Frame = z.looseObject({
    package: str,
    sourceLocation: z.nullish(
      z.looseObject({ filename: str, file: str, start: z.nullish(Position), end: z.nullish(Position) }),
    ),
  });
  const ReachabilityItem = z.looseObject({
    type: str,
    state: str,
    matches: z.nullish(z.array(z.nullable(z.array(Frame)))),
  });
  const ReachabilityEntry = z.looseObject({ ghsa_id: str, reachability: z.nullish(z.array(ReachabilityItem)) });
  const Vulnerability = z.looseObject({
    ghsaId: str,
    cveId: str,
    range: str,
    severity: z.nullish(z.union([z.number(), z.string()])),
    reachabilityData: z.nullish(z.looseObject({ undeterminableReachability: bool })),
  });
  const Component = z.looseObject({
    id: str,
    type: z.string().check(z.minLength(1)),
    namespace: str,
    name: str,
    version: str,
    direct: bool,
    dev: bool,
    vulnerabilities: z.nullish(z.array(Vulnerability)),
    reachability: z.nullish(z.array(ReachabilityEntry)),
  });
  const Facts = z.looseObject({ tier1ReachabilityScanId: str, components: z.array(Component) });
  return { Facts, Component, Vulnerability, Frame };
}
type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

/**
 * The facts file's schema. Built on first use, not at import: building zod schemas is a visible
 * part of the CLI's start-up (bench figure 5), and most runs read no facts file.
 */
export function factsSchema(): Schemas["Facts"] {
  return (schemas ??= buildSchemas()).Facts;
}
export type FactsJson = z.output<Schemas["Facts"]>;
type ComponentJson = z.output<Schemas["Component"]>;
type VulnerabilityJson = z.output<Schemas["Vulnerability"]>;
type FrameJson = z.output<Schemas["Frame"]>;

/** One vulnerability of one package, as the reachability analysis saw it. */
export interface ReachabilityFinding {
  /** `npm`, `pypi`, … (the component's `type`). */
  ecosystem: string;
  namespace?: string;
  name: string;
  /** Empty when the facts give none. */
  version: string;
  /** `pkg:<type>/<namespace>/<name>@<version>`, namespace `@` as `%40` (as the Socket CLI builds it). */
  purl: string;
  ghsaId?: string;
  cveId?: string;
  /** The id shown: GHSA, else CVE, else `Unknown`. */
  id: string;
  /** Affected version range, when given. */
  range?: string;
  /**
   * Priority as the Socket CLI assigns it (§1.9): reachable → critical; unknown, error or
   * undeterminable → high; unreachable → low. Used for ordering, counts and severity filters.
   */
  severity: Severity;
  /** The advisory's own severity (CVSS score or name), when the facts give one. */
  advisorySeverity?: Severity;
  state: ReachabilityState;
  /** State as the facts spell it (lower-case, `_`-separated), e.g. `missing_support`, `undeterminable`. */
  rawState: string;
  /** The analysis said it cannot decide (`reachabilityData.undeterminableReachability`). */
  undeterminable: boolean;
  /** Call path(s) for reachable findings, one frame per line, ending in `-> name@version`. */
  trace?: string;
  direct?: boolean;
  dev?: boolean;
}

export interface Facts {
  /** The file (or label) the facts came from, for messages. */
  source: string;
  scanId?: string;
  /** Every vulnerability of every component, in file order (duplicates merged). */
  findings: ReachabilityFinding[];
  /** Components in the file. */
  components: number;
  /**
   * Advisories the analysis ruled out for the installed version (a `reachabilityData` key and
   * no reachability entry: the Socket CLI's `not_applicable`). Not findings; counted here.
   */
  notApplicable: number;
}

export interface ParseFactsOptions {
  /** Shown in errors. */
  source?: string;
}

/** Read whole (a JS string's limit is about 512 MiB); real facts files are a few MB. */
const MAX_FACTS_BYTES = 256 * 1024 * 1024;

const HINT = "pass the .socket.facts.json the Socket CLI writes with --reach (reference §2.4)";

/** Read a `.socket.facts.json`. A missing or unreadable file is a `UserError` (exit 2). */
export async function readFactsFile(path: string): Promise<Facts> {
  // Regular files only, capped (read-file.ts): /dev/zero, a FIFO or /dev/stdin must not hang the run.
  const text = await readRegularFile(path, { what: "the reachability facts", hint: HINT, maxBytes: MAX_FACTS_BYTES });
  return parseFacts(text, { source: path });
}

/** Parse the text of a `.socket.facts.json` into per-vulnerability findings (reference §1.9). */
export function parseFacts(text: string, options: ParseFactsOptions = {}): Facts {
  const source = options.source ?? "facts";
  const json = parseJson(text, source);
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    const what = Array.isArray(json) ? "a list" : json === null ? "null" : `a ${typeof json}`;
    throw new UserError("facts_invalid", `${source}: (top level): expected a JSON object, got ${what}`, {
      file: source,
      path: "",
      hint: HINT,
    });
  }
  if (!("components" in json)) {
    const scan = "new_alerts" in json;
    throw new UserError(
      "facts_invalid",
      scan
        ? `${source}: components: this is a scan report, not a reachability facts file`
        : `${source}: components: is required but missing (not a reachability facts file)`,
      {
        file: source,
        path: "components",
        hint: scan ? "give the scan report as the input and the .socket.facts.json with --facts" : HINT,
      },
    );
  }
  const facts = parseOrThrow(factsSchema(), json, { file: source, code: "facts_invalid", what: "facts" });
  return toFacts(facts, source);
}

function parseJson(text: string, source: string): unknown {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "")
    throw new UserError("facts_invalid", `${source}: (top level): the file is empty`, {
      file: source,
      path: "",
      hint: HINT,
    });
  try {
    return JSON.parse(trimmed);
  } catch {
    // Our own location and wording: Node's message may quote the text (json-error.ts).
    throw new UserError("facts_invalid", `${source}: (top level): invalid JSON${describeJsonError(trimmed)}`, {
      file: source,
      path: "",
      hint: HINT,
    });
  }
}

export function toFacts(json: FactsJson, source: string): Facts {
  const findings: ReachabilityFinding[] = [];
  const seen = new Set<string>();
  let notApplicable = 0;
  for (const c of json.components) {
    for (const v of c.vulnerabilities ?? []) {
      const f = toFinding(c, v);
      if (f === "not_applicable") {
        notApplicable++;
        continue;
      }
      const key = findingKey(f);
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(f);
    }
  }
  const facts: Facts = { source, findings, components: json.components.length, notApplicable };
  if (json.tier1ReachabilityScanId) facts.scanId = json.tier1ReachabilityScanId;
  return facts;
}

/** Package and vulnerability identity, for de-duplication. */
export function findingKey(
  f: Pick<ReachabilityFinding, "ecosystem" | "namespace" | "name" | "version" | "ghsaId" | "cveId">,
): string {
  return `${packageKey(f.ecosystem, f.namespace, f.name, f.version)}#${(f.ghsaId ?? "").toUpperCase()}#${(f.cveId ?? "").toUpperCase()}`;
}

/**
 * `ecosystem/namespace/name@version`, normalised so the facts and a scan report agree:
 * lower-case ecosystem and name, `%40` decoded, PyPI names per PEP 503 (`-`, `_`, `.` alike).
 */
export function packageKey(ecosystem: string, namespace: string | undefined, name: string, version: string): string {
  const eco = ecosystem.trim().toLowerCase();
  let full = (namespace ? `${namespace}/${name}` : name).trim().replace(/%40/gi, "@").toLowerCase();
  if (eco === "pypi") full = full.replace(/[-_.]+/g, "-");
  return `${eco}/${full}@${version.trim()}`;
}

const str = (v: string | null | undefined): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;

function toFinding(c: ComponentJson, v: VulnerabilityJson): ReachabilityFinding | "not_applicable" {
  const ghsaId = str(v.ghsaId);
  const cveId = str(v.cveId);
  const id = ghsaId ?? cveId;
  const undeterminable = v.reachabilityData?.undeterminableReachability === true;
  const determined = determine(c, v, id, undeterminable);
  if (determined === "not_applicable") return determined;
  const { state, rawState, trace } = determined;

  const namespace = str(c.namespace);
  const name = str(c.name) ?? str(c.id) ?? id ?? "unknown";
  const version = str(c.version) ?? "";
  const advisorySeverity = baseSeverity(v.severity);
  const severity: Severity =
    state === "reachable"
      ? "critical"
      : state === "unknown" || state === "error" || undeterminable
        ? "high"
        : state === "unreachable"
          ? "low"
          : (advisorySeverity ?? "high");

  const f: ReachabilityFinding = {
    ecosystem: c.type.trim(),
    name,
    version,
    purl: factsPurl(c.type.trim(), namespace, name, version),
    id: id ?? "Unknown",
    severity,
    state,
    rawState,
    undeterminable,
  };
  if (namespace) f.namespace = namespace;
  if (ghsaId) f.ghsaId = ghsaId;
  if (cveId) f.cveId = cveId;
  const range = str(v.range);
  if (range) f.range = range;
  if (advisorySeverity) f.advisorySeverity = advisorySeverity;
  if (trace) f.trace = trace;
  if (typeof c.direct === "boolean") f.direct = c.direct;
  if (typeof c.dev === "boolean") f.dev = c.dev;
  return f;
}

/** `pkg:<type>/<ns with @ as %40>/<name>@<version>`, the Socket CLI's form (§1.9). */
function factsPurl(type: string, namespace: string | undefined, name: string, version: string): string {
  const ns = namespace ? `${namespace.replace(/@/g, "%40")}/` : "";
  return `pkg:${type}/${ns}${name}${version ? `@${version}` : ""}`;
}

/** CVSS score → bucket (≥9 critical, ≥7 high, ≥4 medium, else low); a name → that severity (`moderate` is medium). */
function baseSeverity(s: number | string | null | undefined): Severity | undefined {
  if (s === null || s === undefined) return undefined;
  const n = typeof s === "number" ? s : /^\s*\d+(\.\d+)?\s*$/.test(s) ? Number(s) : undefined;
  if (n !== undefined && Number.isFinite(n)) return n >= 9 ? "critical" : n >= 7 ? "high" : n >= 4 ? "medium" : "low";
  return typeof s === "string" ? parseSeverity(s) : undefined;
}

export function normaliseState(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, "_");
}

const KNOWN: ReadonlySet<string> = new Set<ReachabilityState>(["reachable", "unreachable", "unknown", "error"]);

/**
 * State per §1.9 (`_determine_reachability`): the first reachability entry for the id decides;
 * without one, `undeterminableReachability` means unknown, a `reachabilityData` key means the
 * advisory does not apply to this version, and anything else is unknown. Two corrections: entries are matched by GHSA
 * or CVE id in any case, and when the analysis lists several results one `reachable` wins
 * (with every reachable call path), instead of only the first result counting.
 */
function determine(
  c: ComponentJson,
  v: VulnerabilityJson,
  id: string | undefined,
  undeterminable: boolean,
): { state: ReachabilityState; rawState: string; trace?: string } | "not_applicable" {
  if (!id) return { state: "unknown", rawState: "unknown" };
  const ids = new Set([str(v.ghsaId), str(v.cveId)].filter((x): x is string => !!x).map((x) => x.toUpperCase()));
  const entry = (c.reachability ?? []).find((e) => e.ghsa_id && ids.has(e.ghsa_id.trim().toUpperCase()));
  if (!entry) {
    if (undeterminable) return { state: "unknown", rawState: "undeterminable" };
    return v.reachabilityData ? "not_applicable" : { state: "unknown", rawState: "unknown" };
  }
  const items = entry.reachability ?? [];
  const typeOf = (i: (typeof items)[number]) => normaliseState(i.type ?? i.state ?? "");
  const reachable = items.filter((i) => typeOf(i) === "reachable");
  if (reachable.length) {
    const lines = reachable.flatMap((i) => traceLines(i.matches ?? []));
    const trace = lines.length
      ? [...lines, `  -> ${str(c.name) ?? str(c.id) ?? id}${str(c.version) ? `@${str(c.version)}` : ""}`].join("\n")
      : undefined;
    return trace ? { state: "reachable", rawState: "reachable", trace } : { state: "reachable", rawState: "reachable" };
  }
  const raw = items.length ? typeOf(items[0]!) : "";
  if (raw === "") return { state: "unknown", rawState: "unknown" };
  return { state: KNOWN.has(raw) ? (raw as ReachabilityState) : "unknown", rawState: raw };
}

/** Frames as the Socket CLI prints them: `file L:C[-EL:EC]`, then `  -> package L:C` per call. */
function traceLines(groups: readonly (readonly FrameJson[] | null)[]): string[] {
  const out: string[] = [];
  for (const group of groups) {
    (group ?? []).forEach((frame, i) => {
      const loc = frame.sourceLocation;
      const file = str(loc?.filename) ?? str(loc?.file);
      const start = loc?.start;
      const at = start && typeof start.line === "number" ? ` ${start.line}:${start.column ?? ""}` : "";
      if (i === 0) {
        if (!file) return;
        const end = loc?.end;
        const span =
          at && end && typeof end.line === "number" && end.line !== start!.line
            ? `-${end.line}:${end.column ?? ""}`
            : "";
        out.push(`${file}${at}${span}`);
      } else {
        const who = str(frame.package) ?? file;
        if (who) out.push(`  -> ${who}${at}`);
      }
    });
  }
  return out;
}
