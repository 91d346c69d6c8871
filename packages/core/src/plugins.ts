import { createRequire } from "node:module";
import { isAbsolute, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type $ZodType } from "zod/v4/core";
import { UserError } from "./errors.js";
import { type PluginHost } from "./contract/context.js";
import { type NotifierPlugin } from "./contract/plugin.js";

function isPlugin(v: unknown): v is NotifierPlugin {
  const p = v as Partial<NotifierPlugin> | null;
  return (
    !!p &&
    typeof p === "object" &&
    typeof p.mode === "string" &&
    typeof p.createNotifier === "function" &&
    typeof p.destinations === "function"
  );
}

/** The file each loaded plugin came from, for errors about the plugin itself. */
const pluginFiles = new WeakMap<NotifierPlugin, string>();

/** Where a plugin was loaded from (a path), or undefined for a built-in or embedded one. */
export function pluginFile(p: NotifierPlugin): string | undefined {
  return pluginFiles.get(p);
}

/** `plugin "teams" (./notifiers/teams.js)`: how errors name a plugin. */
export function pluginName(p: NotifierPlugin): string {
  const file = pluginFiles.get(p);
  return `plugin "${p.mode}"${file ? ` (${file})` : ""}`;
}

/** A module's plugins: its default export or `plugin`/`plugins` export, one or a list. */
export function pluginsOf(mod: Record<string, unknown>): NotifierPlugin[] {
  const candidates = [mod.default, mod.plugin, mod.plugins].flatMap((v) =>
    Array.isArray(v) ? v : v === undefined ? [] : [v],
  );
  return candidates.filter(isPlugin);
}

/**
 * Load plugin modules named in the config: paths (`./x.js`, relative to the config file) or
 * package names (resolved from node_modules next to the config file).
 */
export async function loadPluginModules(specs: string[], baseDir: string, label: string): Promise<NotifierPlugin[]> {
  const out: NotifierPlugin[] = [];
  for (const [i, spec] of specs.entries()) {
    const path = `plugins[${i}]`;
    const isPath = spec.startsWith(".") || isAbsolute(spec);
    let url: string;
    try {
      url = isPath
        ? pathToFileURL(resolvePath(baseDir, spec)).href
        : pathToFileURL(createRequire(resolvePath(baseDir, "noop.js")).resolve(spec)).href;
    } catch {
      throw new UserError("plugin_invalid", `${label}: ${path}: cannot find plugin "${spec}"`, {
        file: label,
        path,
        hint: isPath
          ? `the path is relative to ${baseDir}`
          : `install it (npm install ${spec}) next to the config file`,
      });
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UserError(
        "plugin_invalid",
        `${label}: ${path}: loading plugin "${spec}" failed: ${code === "ERR_MODULE_NOT_FOUND" ? "module not found" : (e as Error).message.split("\n")[0]}`,
        {
          file: label,
          path,
          hint: isPath ? `the path is relative to ${baseDir}` : "check that the package is installed",
          cause: e,
        },
      );
    }
    const found = pluginsOf(mod);
    if (!found.length) {
      // A plugin written for the earlier contract: say what replaced its hook.
      const older = typeof (mod.default as { register?: unknown } | undefined)?.register === "function";
      throw new UserError("plugin_invalid", `${label}: ${path}: "${spec}" exports no notifier plugin`, {
        file: label,
        path,
        hint: older
          ? "register(container, host) is now createNotifier(config, host), which returns the notifier (see the README: Write a notifier plugin)"
          : "export default { mode, optionsSchema, destinations(config, host), createNotifier(config, host) } (see the README: Write a notifier plugin)",
      });
    }
    const file = url.startsWith("file:") ? fileURLToPath(url) : url;
    for (const p of found) if (typeof p === "object") pluginFiles.set(p, file);
    out.push(...found);
  }
  return out;
}

/** The zod object a plugin declares for its top-level keys. */
export function optionsShape(plugin: NotifierPlugin, host: PluginHost): Record<string, $ZodType> {
  const s = typeof plugin.optionsSchema === "function" ? plugin.optionsSchema(host) : plugin.optionsSchema;
  if (!s) return {};
  const shape = (s as { shape?: Record<string, $ZodType> }).shape;
  if (!shape || typeof shape !== "object") {
    const file = pluginFiles.get(plugin);
    throw new UserError("plugin_invalid", `${pluginName(plugin)}: optionsSchema is not a zod object`, {
      ...(file ? { file } : {}),
      hint: "build it with host.z.object({...}) so it shares the host's zod",
    });
  }
  return shape;
}
