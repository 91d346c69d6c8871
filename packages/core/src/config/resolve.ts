import { type ErrorCode, UserError } from "../errors.js";
import { type PluginHost } from "../contract/context.js";
import { type NotifierPlugin } from "../contract/plugin.js";
import { loadPluginModules, optionsShape, pluginFile, pluginName } from "../plugins.js";
import { jsonPath, parseOrThrow, suggest } from "../zod-issues.js";
import { looksLikeSlackCredential } from "../secret.js";
import { type RawConfig } from "./load.js";
import { buildConfigSchema, type NotifyConfig } from "./schema.js";

export interface ResolvedConfig {
  config: NotifyConfig;
  mode: string;
  plugin: NotifierPlugin;
  /** Every notifier available: built-in and loaded. */
  plugins: NotifierPlugin[];
  warnings: string[];
}

export interface ResolveOptions {
  builtins: NotifierPlugin[];
  allowCodeConfig?: boolean;
  host: PluginHost;
}

function literalSecrets(v: unknown, path: (string | number)[], out: string[]): void {
  if (typeof v === "string") {
    if (looksLikeSlackCredential(v)) out.push(jsonPath(path));
  } else if (Array.isArray(v)) v.forEach((x, i) => literalSecrets(x, [...path, i], out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) literalSecrets(x, [...path, k], out);
}

/**
 * Keys JavaScript gives a meaning to: `{"url_configs": {"__proto__": {…}}}` would set the map's
 * prototype instead of adding an entry (that webhook then gets every alert), `constructor`
 * would find Object's own. No socket-notify key or sensible name is one of these.
 */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

interface Walk {
  v: unknown;
  key?: string | number;
  parent?: Walk;
}

function pathOf(w: Walk | undefined): (string | number)[] {
  const out: (string | number)[] = [];
  for (let cur = w; cur?.key !== undefined; cur = cur.parent) out.unshift(cur.key);
  return out;
}

function rejectReservedKeys(root: unknown, label: string): void {
  // A work list with parent links, not recursion or path copies: a hostile config can nest
  // deeper than the call stack.
  const todo: Walk[] = [{ v: root }];
  for (let item = todo.pop(); item; item = todo.pop()) {
    const { v } = item;
    if (Array.isArray(v)) v.forEach((x, i) => todo.push({ v: x, key: i, parent: item }));
    else if (v && typeof v === "object") {
      for (const k of Object.keys(v)) {
        if (RESERVED_KEYS.has(k)) {
          const where = jsonPath([...pathOf(item), k]);
          throw new UserError("config_invalid", `${label}: ${where}: the key "${k}" is not allowed`, {
            file: label,
            path: where,
            hint: "rename it: __proto__, constructor and prototype are reserved in JavaScript and cannot name a destination or option",
          });
        }
        todo.push({ v: (v as Record<string, unknown>)[k], key: k, parent: item });
      }
    }
  }
}

/** Validate a raw config against core's keys plus every notifier's, and pick the notifier by `mode`. */
export async function resolveConfig(raw: RawConfig, options: ResolveOptions): Promise<ResolvedConfig> {
  const { source } = raw;
  const label = source.label;
  const value = raw.raw;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const got = Array.isArray(value) ? "a list" : value === null ? "null" : `a ${typeof value}`;
    throw new UserError("config_invalid", `${label}: expected a JSON object, got ${got}`, {
      file: label,
      hint: 'a config looks like {"mode": "webhook", "url": …, "url_configs": {…}}',
    });
  }
  const obj = value as Record<string, unknown>;
  rejectReservedKeys(obj, label);

  let loaded: NotifierPlugin[] = [];
  if (obj.plugins !== undefined) {
    if (!Array.isArray(obj.plugins) || !obj.plugins.every((p) => typeof p === "string")) {
      throw new UserError("config_invalid", `${label}: plugins: expected a list of module paths or package names`, {
        file: label,
        path: "plugins",
        hint: 'e.g. "plugins": ["./notifiers/teams.js"]',
      });
    }
    // Plugins are code: a pull request must not be able to add one through a file in the checkout,
    // whether the search finds it or the job names it with --config (as for a loopback API URL).
    if ((source.kind !== "flag" || source.trusted === false) && !options.allowCodeConfig) {
      throw new UserError(
        "config_code_not_allowed",
        `${label}: plugins: plugins are code and load only from a --config file outside the checkout or with --allow-code-config`,
        {
          file: label,
          path: "plugins",
          hint: "pass the config with --config (from outside the checkout in CI), or add --allow-code-config if you trust this file",
        },
      );
    }
    loaded = await loadPluginModules(obj.plugins as string[], source.baseDir, label);
  }

  const plugins = [...options.builtins];
  for (const p of loaded) {
    if (plugins.some((q) => q.mode === p.mode)) {
      throw new UserError("plugin_invalid", `${label}: plugins: two notifiers claim mode "${p.mode}"`, {
        file: label,
        path: "plugins",
        hint: "remove one of them",
      });
    }
    plugins.push(p);
  }

  const shapes = plugins.map((p) => {
    try {
      return optionsShape(p, options.host);
    } catch (e) {
      if (e instanceof UserError) throw e;
      const file = pluginFile(p);
      throw new UserError("plugin_invalid", `${pluginName(p)}: its optionsSchema failed: ${(e as Error).message}`, {
        ...(file ? { file } : {}),
        hint: "fix the plugin",
      });
    }
  });
  // The mode first: with a plugin missing from "plugins", "unknown mode …; available: …" is the
  // useful error, not "unknown key" for the plugin's options.
  if (typeof obj.mode === "string" && obj.mode !== "" && !plugins.some((p) => p.mode === obj.mode))
    throw unknownMode(obj.mode, plugins, label);

  const schema = buildConfigSchema(shapes);
  let config: NotifyConfig;
  try {
    config = parseOrThrow(schema, obj, { file: label, code: "config_invalid", what: "config" }) as NotifyConfig;
  } catch (e) {
    throw namePluginOf(e, plugins, shapes);
  }

  const mode = config.mode ?? "webhook";
  const plugin = plugins.find((p) => p.mode === mode);
  if (!plugin) throw unknownMode(mode, plugins, label);

  const warnings: string[] = [...(raw.warnings ?? [])];
  if (source.kind === "flag" || source.kind === "search") {
    const paths: string[] = [];
    literalSecrets(obj, [], paths);
    for (const p of paths) {
      warnings.push(
        `${label}: ${p}: a literal secret in a config file ends up in version control; use {"env": "VAR_NAME"} and a CI secret`,
      );
    }
  }
  return { config, mode, plugin, plugins, warnings };
}

function unknownMode(mode: string, plugins: NotifierPlugin[], label: string): UserError {
  const modes = plugins.map((p) => p.mode);
  const guess = suggest(mode, modes);
  return new UserError(
    "mode_unknown",
    `${label}: mode: unknown mode "${mode}"${guess ? ` (did you mean "${guess}"?)` : ""}; available: ${modes.join(", ")}`,
    {
      file: label,
      path: "mode",
      hint: `modes are case-sensitive; a plugin's mode is available once it is listed in "plugins"`,
    },
  );
}

/** An error about a key a notifier declared says which notifier, so a plugin's user knows whose docs to read. */
function namePluginOf(e: unknown, plugins: NotifierPlugin[], shapes: Record<string, unknown>[]): unknown {
  if (!(e instanceof UserError) || !e.path) return e;
  const top = /^(?:\["((?:[^"\\]|\\.)*)"\]|([^.[]+))/.exec(e.path);
  const key = top?.[1] !== undefined ? (JSON.parse(`"${top[1]}"`) as string) : top?.[2];
  const owner = key === undefined ? undefined : plugins.find((_, i) => Object.hasOwn(shapes[i]!, key));
  if (!owner) return e;
  return new UserError(e.code as ErrorCode, `${e.message} (an option of the "${owner.mode}" notifier)`, {
    file: e.file,
    path: e.path,
    hint: e.hint,
    cause: e.cause,
  });
}
