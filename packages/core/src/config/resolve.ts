import { UserError } from "../errors.js";
import { type PluginHost } from "../host.js";
import { type NotifierPlugin } from "../notifier.js";
import { loadPluginModules, optionsShape } from "../plugins.js";
import { parseOrThrow, suggest } from "../zod-issues.js";
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

const SECRET_LIKE = /hooks\.slack(?:-gov)?\.com\/services\/|^xox[abpre]-/;

function literalSecrets(v: unknown, path: string, out: string[]): void {
  if (typeof v === "string") {
    if (SECRET_LIKE.test(v)) out.push(path);
  } else if (Array.isArray(v)) v.forEach((x, i) => literalSecrets(x, `${path}[${i}]`, out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) literalSecrets(x, path ? `${path}.${k}` : k, out);
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

  let loaded: NotifierPlugin[] = [];
  if (obj.plugins !== undefined) {
    if (!Array.isArray(obj.plugins) || !obj.plugins.every((p) => typeof p === "string")) {
      throw new UserError("config_invalid", `${label}: plugins: expected a list of module paths or package names`, { file: label, path: "plugins", hint: 'e.g. "plugins": ["./notifiers/teams.js"]' });
    }
    // Plugins are code: a pull request must not be able to add one through a file in the checkout.
    if (source.kind !== "flag" && !options.allowCodeConfig) {
      throw new UserError("config_code_not_allowed", `${label}: plugins: plugins are code and load only from a --config file or with --allow-code-config`, {
        file: label,
        path: "plugins",
        hint: "pass the config with --config (from outside the checkout in CI), or add --allow-code-config if you trust this file",
      });
    }
    loaded = await loadPluginModules(obj.plugins as string[], source.baseDir, label);
  }

  const plugins = [...options.builtins];
  for (const p of loaded) {
    if (plugins.some((q) => q.mode === p.mode)) {
      throw new UserError("plugin_invalid", `${label}: plugins: two notifiers claim mode "${p.mode}"`, { file: label, path: "plugins", hint: "remove one of them" });
    }
    plugins.push(p);
  }

  const shapes = plugins.map((p) => {
    try {
      return optionsShape(p, options.host);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError("plugin_invalid", `plugin "${p.mode}": its optionsSchema failed: ${(e as Error).message}`, { hint: "fix the plugin" });
    }
  });
  const schema = buildConfigSchema(shapes);
  const config = parseOrThrow(schema, obj, { file: label, code: "config_invalid", what: "config" }) as NotifyConfig;

  const mode = config.mode ?? "webhook";
  const plugin = plugins.find((p) => p.mode === mode);
  if (!plugin) {
    const modes = plugins.map((p) => p.mode);
    const guess = suggest(mode, modes);
    throw new UserError("mode_unknown", `${label}: mode: unknown mode "${mode}"${guess ? ` (did you mean "${guess}"?)` : ""}; available: ${modes.join(", ")}`, {
      file: label,
      path: "mode",
      hint: `modes are case-sensitive; a plugin's mode is available once it is listed in "plugins"`,
    });
  }

  const warnings: string[] = [];
  if (source.kind === "flag" || source.kind === "search") {
    const paths: string[] = [];
    literalSecrets(obj, "", paths);
    for (const p of paths) {
      warnings.push(`${label}: ${p}: a literal secret in a config file ends up in version control; use {"env": "VAR_NAME"} and a CI secret`);
    }
  }
  return { config, mode, plugin, plugins, warnings };
}
