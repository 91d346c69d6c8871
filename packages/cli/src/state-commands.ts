/**
 * `mute`, `unmute`, `mutes`, `state export` and `state import`: decisions that stick across runs,
 * kept in the state store the config's `state` (or SOCKET_NOTIFY_STATE) names.
 */
import { userInfo } from "node:os";
import { resolve } from "node:path";
import { createEngine, UserError } from "@socket-notify/core";
import {
  type Decision,
  type DecisionTarget,
  describeTarget,
  openStateStore,
  parsePackageTarget,
  type StateStore,
} from "@socket-notify/state";
import { type ParsedArgs } from "./args.js";
import { BUILTIN_PLUGINS } from "./builtins.js";
import { readFile, writeFile } from "node:fs/promises";
import { type CliIO, type Output } from "./io.js";
import { STATE_ENV, stateLocation } from "./state-location.js";

/** Alert types a mute hides only with --force: the ones nobody should stop hearing about by accident. */
export const FORCE_TYPES = ["malware", "didYouMean"];

/** For the state commands: SOCKET_NOTIFY_STATE, else the config (which need not have its secrets here). */
async function openFromArgs(args: ParsedArgs, io: CliIO, out: Output): Promise<StateStore> {
  let where = stateLocation(io.env, io.cwd);
  if (!where) {
    const options: Parameters<typeof createEngine>[0] = {
      env: io.env,
      cwd: io.cwd,
      plugins: BUILTIN_PLUGINS,
      allowCodeConfig: args.flags["allow-code-config"] === true,
      missingSecrets: "warn",
    };
    if (args.flags.config !== undefined) options.configPath = resolve(io.cwd, args.flags.config);
    const engine = await createEngine(options);
    out.extraScrub = (t) => engine.host.scrub(t);
    where = stateLocation(io.env, io.cwd, {
      state: engine.config.state,
      baseDir: engine.source.baseDir,
      host: engine.host,
    });
  }
  if (!where)
    throw new UserError("usage", `${args.command}: no state store is configured`, {
      hint: `set "state" in the config (a file path or a postgres:// URL) or ${STATE_ENV}`,
    });
  return openStateStore(where.value);
}

/** Who made a decision: --by, else the CI's actor, else the OS user. */
export function decidedBy(flag: string | undefined, env: Record<string, string | undefined>): string {
  if (flag?.trim()) return flag.trim();
  for (const k of [
    "GITHUB_ACTOR",
    "GITLAB_USER_LOGIN",
    "BUILDKITE_BUILD_CREATOR_EMAIL",
    "BUILDKITE_BUILD_CREATOR",
    "CIRCLE_USERNAME",
    "BITBUCKET_STEP_TRIGGERER_UUID",
  ]) {
    const v = env[k]?.trim();
    if (v) return v;
  }
  try {
    const u = userInfo().username;
    if (u) return u;
  } catch {
    /* no passwd entry (a container's arbitrary uid) */
  }
  return env.USER?.trim() || "unknown";
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `--for 30d` / `12h` / `90m` / `2w`, or `--until 2027-01-31[T12:00Z]`: the ISO expiry, or undefined. */
export function expiryFrom(flags: ParsedArgs["flags"], now: number): string | undefined {
  if (flags.for !== undefined && flags.until !== undefined)
    throw new UserError("usage", "--for and --until: give one of them", {
      hint: "e.g. --for 30d or --until 2027-01-31",
    });
  if (flags.for !== undefined) {
    const m = /^(\d{1,5})\s*([mhdw])$/i.exec(flags.for.trim());
    if (!m || Number(m[1]) === 0)
      throw new UserError(
        "usage",
        `--for: expected a duration like 30d, 12h, 90m or 2w, got "${flags.for.slice(0, 40)}"`,
        {
          hint: "m minutes, h hours, d days, w weeks",
        },
      );
    return new Date(now + Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number)).toISOString();
  }
  if (flags.until !== undefined) {
    const text = flags.until.trim();
    const t = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
    if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(t))
      throw new UserError(
        "usage",
        `--until: expected a date like 2027-01-31 or 2027-01-31T12:00Z, got "${text.slice(0, 40)}"`,
        {
          hint: "a date (UTC midnight) or an ISO date-time",
        },
      );
    if (t <= now)
      throw new UserError("usage", `--until: ${text} is in the past`, {
        hint: "give a date in the future, or use --for",
      });
    return new Date(t).toISOString();
  }
  return undefined;
}

function targetOf(text: string, flags: ParsedArgs["flags"], command: string): DecisionTarget {
  const pkg = parsePackageTarget(text);
  if (!pkg)
    throw new UserError("usage", `${command}: "${text.slice(0, 80)}" is not ecosystem/name[@version]`, {
      hint: "e.g. npm/lodash, npm/lodash@4.17.20, npm/@babel/core@7.0.0, pypi/requests",
    });
  const repo = flags.repo?.trim();
  if (repo !== undefined && !/^[^/\s]+\/[^\s]+$/.test(repo))
    throw new UserError("usage", `--repo: expected owner/name, got "${repo.slice(0, 80)}"`, {
      hint: "e.g. --repo acme/web",
    });
  return { ...pkg, ...(flags.type ? { type: flags.type.trim() } : {}), ...(repo ? { repo } : {}) };
}

function decisionLine(d: Decision): string {
  const until = d.until ? `until ${d.until}` : "no expiry";
  return `${d.id}  ${d.kind}  ${describeTarget(d.target)}  by ${d.by} at ${d.at}, ${until}${d.reason ? `: ${d.reason}` : ""}`;
}

export async function mute(args: ParsedArgs, io: CliIO, out: Output): Promise<number> {
  const text = args.positionals[0];
  if (!text)
    throw new UserError("usage", "mute: which package? mute ecosystem/name[@version] --reason TEXT", {
      hint: "e.g. socket-notify mute npm/lodash@4.17.20 --reason 'not reachable' --for 30d",
    });
  const reason = args.flags.reason?.trim();
  if (!reason)
    throw new UserError("usage", "mute: --reason is required (it is shown with the mute)", {
      hint: "e.g. --reason 'fixed upstream, upgrade in JIRA-123'",
    });
  const target = targetOf(text, args.flags, "mute");
  const force = args.flags.force === true;
  if (!force && target.type && FORCE_TYPES.includes(target.type))
    throw new UserError("usage", `mute: muting ${target.type} alerts needs --force`, {
      hint: `${target.type} alerts are supply-chain attacks; add --force if you are sure`,
    });
  if (!force && !target.type)
    throw new UserError("usage", "mute: without --type, the mute would also hide malware and typosquat alerts", {
      hint: "add --type ALERT_TYPE (e.g. --type criticalCVE), or --force to mute every alert type of the package",
    });
  const store = await openFromArgs(args, io, out);
  try {
    const decision = await store.addDecision({
      kind: "mute",
      target,
      by: decidedBy(args.flags.by, io.env),
      reason,
      ...(() => {
        const until = expiryFrom(args.flags, Date.now());
        return until ? { until } : {};
      })(),
    });
    if (args.flags.json) out.outBlock(JSON.stringify(decision, null, 2));
    else out.out(`muted: ${decisionLine(decision)}`);
    return 0;
  } finally {
    await store.close();
  }
}

export async function unmute(args: ParsedArgs, io: CliIO, out: Output): Promise<number> {
  const text = args.positionals[0];
  if (!text)
    throw new UserError("usage", "unmute: which mute? unmute ID or unmute ecosystem/name[@version]", {
      hint: "socket-notify mutes lists them with their ids",
    });
  const store = await openFromArgs(args, io, out);
  try {
    const all = await store.decisions({ includeExpired: true });
    let removed: Decision[];
    if (all.some((d) => d.id === text)) removed = [(await store.removeDecision(text)) as Decision];
    else if (!text.includes("/")) removed = [];
    else {
      const t = targetOf(text, args.flags, "unmute");
      const same = (a: string | undefined, b: string | undefined) =>
        (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
      const matches = all.filter(
        (d) =>
          d.kind === "mute" &&
          same(d.target.ecosystem, t.ecosystem) &&
          (d.target.namespace ? `${d.target.namespace}/${d.target.name}` : d.target.name) ===
            (t.namespace ? `${t.namespace}/${t.name}` : t.name) &&
          (t.version === undefined || d.target.version === t.version) &&
          (t.type === undefined || d.target.type === t.type) &&
          (t.repo === undefined || same(d.target.repo, t.repo)),
      );
      removed = [];
      for (const d of matches) {
        const r = await store.removeDecision(d.id);
        if (r) removed.push(r);
      }
    }
    if (!removed.length)
      throw new UserError("usage", `unmute: no mute is ${text.includes("/") ? "of" : "named"} "${text.slice(0, 80)}"`, {
        hint: "socket-notify mutes lists them with their ids",
      });
    if (args.flags.json) out.outBlock(JSON.stringify(removed, null, 2));
    else for (const d of removed) out.out(`unmuted: ${decisionLine(d)}`);
    return 0;
  } finally {
    await store.close();
  }
}

export async function mutes(args: ParsedArgs, io: CliIO, out: Output): Promise<number> {
  const store = await openFromArgs(args, io, out);
  try {
    const list = await store.decisions();
    if (args.flags.json) {
      out.outBlock(JSON.stringify(list, null, 2));
      return 0;
    }
    if (!list.length) out.out("no mutes, acknowledgements or snoozes in force");
    for (const d of list) out.out(decisionLine(d));
    return 0;
  } finally {
    await store.close();
  }
}

export async function stateCommand(args: ParsedArgs, io: CliIO, out: Output): Promise<number> {
  const [sub, file] = args.positionals;
  if ((sub !== "export" && sub !== "import") || !file)
    throw new UserError("usage", "state: expected state export FILE or state import FILE", {
      hint: "FILE may be - for stdout (export) or stdin (import)",
    });
  const store = await openFromArgs(args, io, out);
  try {
    if (sub === "export") {
      const text = `${JSON.stringify(await store.exportDocument(), null, 2)}\n`;
      if (file === "-") out.outBlock(text.trimEnd());
      else {
        await writeFile(resolve(io.cwd, file), text);
        out.err(`exported the state of ${store.location} to ${file}`);
      }
      return 0;
    }
    const path = file === "-" ? "/dev/stdin" : resolve(io.cwd, file);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, "utf8"));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UserError("input_unreadable", `${file}: ${code ? `cannot read it (${code})` : "not valid JSON"}`, {
        file,
        hint: "give a file written by socket-notify state export",
      });
    }
    const r = await store.importDocument(json as never, args.flags.replace ? "replace" : "merge");
    out.err(
      `imported ${r.decisions} decision${r.decisions === 1 ? "" : "s"} and ${r.scopes} living message${r.scopes === 1 ? "" : "s"} into ${store.location}${args.flags.replace ? " (replacing what was there)" : ""}`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
