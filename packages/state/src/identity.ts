import { type Alert } from "@socket-notify/core";
import { alertFingerprint, packageLabel } from "@socket-notify/core/internal";
import { type DecisionTarget, type SeenAlert } from "./types.js";

// The fingerprint is core's (model.ts): the triage buttons in slack-bot name alerts by the same one.
export { alertFingerprint };

export function seenAlert(a: Alert): SeenAlert {
  return {
    fingerprint: alertFingerprint(a),
    package: `${a.ecosystem}/${packageLabel(a)}`,
    type: a.type,
    severity: a.severity,
    title: a.title,
  };
}

export interface ScopeKeyParts {
  /** The destination's pacing key (same webhook or channel: same key) or its route name. */
  destination: string;
  repo: string;
  pr?: string;
  branch?: string;
}

/**
 * A living message's key: destination + repository + PR, or the branch when there is no PR.
 * Undefined when the run does not say which repository (or which PR or branch) it is for: such a
 * run cannot be matched with the next one, so state is not used for it.
 */
export function scopeKey(p: Partial<ScopeKeyParts>): string | undefined {
  if (!p.destination || !p.repo) return undefined;
  if (p.pr) return `${p.destination} ${p.repo} pr:${p.pr}`;
  if (p.branch) return `${p.destination} ${p.repo} branch:${p.branch}`;
  return undefined;
}

/** A scope key read back (`scopeKey`'s parts); undefined for a key of another shape. */
export function parseScopeKey(key: string): ScopeKeyParts | undefined {
  const m = /^(.*) (\S+) (pr|branch):(\S+)$/.exec(key);
  if (!m) return undefined;
  const [, destination, repo, kind, at] = m as unknown as [string, string, string, string, string];
  return { destination, repo, ...(kind === "pr" ? { pr: at } : { branch: at }) };
}

/** Is this scope about repository `repo` (owner/name, any case)? */
export function scopeInRepo(key: string, repo: string): boolean {
  return parseScopeKey(key)?.repo.toLowerCase() === repo.toLowerCase();
}

function fullName(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Does this decision target apply to this alert in this repository? */
export function targetMatches(t: DecisionTarget, a: Alert, repo: string | undefined): boolean {
  if (t.fingerprint !== undefined && t.fingerprint !== alertFingerprint(a)) return false;
  if (t.repo !== undefined && (repo === undefined || t.repo.toLowerCase() !== repo.toLowerCase())) return false;
  if (t.ecosystem !== undefined && t.ecosystem.toLowerCase() !== a.ecosystem.toLowerCase()) return false;
  // `@babel/core` may come as namespace `@babel` + name `core` or as the name `@babel/core`: compare whole names.
  if (t.name !== undefined && fullName(t.namespace, t.name) !== fullName(a.namespace, a.name)) return false;
  if (t.version !== undefined && t.version !== a.version) return false;
  if (t.type !== undefined && t.type !== a.type) return false;
  return true;
}

/**
 * `targetMatches` for an alert the store remembers (a living message's `SeenAlert`) rather than
 * one from a report: the package is read back from its `ecosystem/name@version` label.
 */
export function seenMatches(t: DecisionTarget, s: SeenAlert, repo: string | undefined): boolean {
  if (t.fingerprint !== undefined && t.fingerprint !== s.fingerprint) return false;
  if (t.repo !== undefined && (repo === undefined || t.repo.toLowerCase() !== repo.toLowerCase())) return false;
  if (t.type !== undefined && t.type !== s.type) return false;
  if (t.ecosystem === undefined && t.name === undefined && t.version === undefined) return true;
  const p = parsePackageTarget(s.package);
  if (p === undefined) return false;
  if (t.ecosystem !== undefined && t.ecosystem.toLowerCase() !== p.ecosystem?.toLowerCase()) return false;
  if (t.name !== undefined && fullName(t.namespace, t.name) !== fullName(p.namespace, p.name ?? "")) return false;
  if (t.version !== undefined && t.version !== p.version) return false;
  return true;
}

/** `npm/lodash@4.17.20 type criticalCVE in acme/web`, for people (`mutes`, messages). */
export function describeTarget(t: DecisionTarget): string {
  const parts: string[] = [];
  if (t.ecosystem || t.name) {
    const pkg = `${t.ecosystem ?? "*"}/${t.namespace ? `${t.namespace}/` : ""}${t.name ?? "*"}`;
    parts.push(t.version ? `${pkg}@${t.version}` : pkg);
  }
  if (t.fingerprint) parts.push(t.fingerprint);
  if (t.type) parts.push(`type ${t.type}`);
  parts.push(t.repo ? `in ${t.repo}` : "in every repository");
  return parts.join(" ");
}

/**
 * `npm/lodash`, `npm/lodash@4.17.20`, `npm/@babel/core@7.0.0`, `maven/org.x/y@1`: the ecosystem,
 * an optional namespace, the name and an optional version. Undefined when it is not one.
 */
export function parsePackageTarget(text: string): DecisionTarget | undefined {
  const m = /^([a-z][a-z0-9_-]*)\/(.+)$/i.exec(text.trim());
  if (!m) return undefined;
  const ecosystem = m[1] as string;
  let rest = m[2] as string;
  let version: string | undefined;
  // A version follows the last `@` that is not the first character of a segment (npm scopes).
  const at = rest.lastIndexOf("@");
  if (at > 0 && rest[at - 1] !== "/") {
    version = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!version) return undefined;
  }
  const slash = rest.lastIndexOf("/");
  const namespace = slash >= 0 ? rest.slice(0, slash) : undefined;
  const name = slash >= 0 ? rest.slice(slash + 1) : rest;
  if (!name || namespace === "") return undefined;
  return {
    ecosystem: ecosystem.toLowerCase(),
    ...(namespace ? { namespace } : {}),
    name,
    ...(version ? { version } : {}),
  };
}
