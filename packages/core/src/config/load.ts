import { readTextFile } from "../fs-async.js";
import { dirname, extname, isAbsolute, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import type { Loader } from "cosmiconfig";
import { importModule } from "../dynamic-import.js";
import { UserError } from "../errors.js";
import { describeJsonError } from "../json-error.js";

export const CONFIG_ENV = "SOCKET_SLACK_CONFIG_JSON";
const MODULE_NAME = "socketnotify";

/** Data-only config files, in the order they are searched (first found wins). */
export const DATA_CONFIG_FILES = [
  "package.json",
  `.${MODULE_NAME}rc`,
  `.${MODULE_NAME}rc.json`,
  `.${MODULE_NAME}rc.yaml`,
  `.${MODULE_NAME}rc.yml`,
  `${MODULE_NAME}.config.json`,
];
/** Config files that run code when loaded; only with --allow-code-config. */
export const CODE_CONFIG_FILES = [
  `.${MODULE_NAME}rc.js`,
  `.${MODULE_NAME}rc.cjs`,
  `.${MODULE_NAME}rc.mjs`,
  `.${MODULE_NAME}rc.ts`,
  `${MODULE_NAME}.config.js`,
  `${MODULE_NAME}.config.cjs`,
  `${MODULE_NAME}.config.mjs`,
  `${MODULE_NAME}.config.ts`,
];
const CODE_EXTS = new Set([".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"]);

export interface ConfigSource {
  /** `flag`: --config; `env`: SOCKET_SLACK_CONFIG_JSON; `search`: found from the working directory; `inline`: given by an embedding tool. */
  kind: "flag" | "env" | "search" | "inline";
  /** For messages: the file path or the variable name. */
  label: string;
  /** Directory plugin paths are relative to. */
  baseDir: string;
  /** The file runs code (.js/.mjs/.cjs/.ts). */
  code: boolean;
}

export interface RawConfig {
  raw: unknown;
  source: ConfigSource;
}

export interface FindConfigOptions {
  configPath?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  allowCodeConfig?: boolean;
}

function parseJsonText(text: string, label: string, hint: string): unknown {
  const clean = text.replace(/^\uFEFF/, "");
  if (clean.trim() === "") throw new UserError("config_invalid", `${label}: the file is empty`, { file: label, hint: 'a config is a JSON object, e.g. {"url": {"env": "SLACK_WEBHOOK_URL"}}' });
  if (/[\u0000-\u0008\u000e-\u001f]/.test(clean.slice(0, 512))) {
    throw new UserError("config_invalid", `${label}: this is a binary file, not JSON`, { file: label, hint: "check the path given to --config" });
  }
  try {
    return JSON.parse(clean);
  } catch {
    // Not Node's message: it quotes the text near the error, which may be part of a secret (json-error.ts).
    throw new UserError("config_invalid", `${label}: invalid JSON${describeJsonError(clean)}`, { file: label, hint });
  }
}

// yaml and cosmiconfig load on first use: most CI runs give --config JSON or the env var, and
// start-up time is module loading (bench figure 5).
let yamlModule: typeof import("yaml") | undefined;
async function loadYaml(): Promise<void> {
  yamlModule ??= await importModule<typeof import("yaml")>("yaml");
}

function parseYamlText(text: string, label: string): unknown {
  const { parse: parseYaml, YAMLParseError } = yamlModule!;
  try {
    return parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    const pos = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "";
    const detail = (e as Error).message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new UserError("config_invalid", `${label}: invalid YAML${pos}: ${detail}`, { file: label, hint: "check the indentation and quoting near that line" });
  }
}

const jsonLoader: Loader = (filepath, content) => parseJsonText(content, filepath, "fix the JSON syntax (a trailing comma or a missing quote?)");
const yamlLoader: Loader = (filepath, content) => parseYamlText(content, filepath);
/** `.socketnotifyrc` with no extension: JSON or YAML, like other rc files. */
const rcLoader: Loader = (filepath, content) => (/^\s*[{[]/.test(content) ? jsonLoader(filepath, content) : yamlLoader(filepath, content));

export function isCodeConfig(path: string): boolean {
  return CODE_EXTS.has(extname(path).toLowerCase());
}

function codeRefused(label: string): UserError {
  return new UserError("config_code_not_allowed", `${label}: this config file runs code, and code config files load only with --allow-code-config`, {
    file: label,
    hint: "in CI a pull request could add such a file to read your tokens; use a JSON/YAML config, or pass --allow-code-config if you trust it",
  });
}

/**
 * Find the raw config. First found wins: `--config PATH`, then `SOCKET_SLACK_CONFIG_JSON`, then a
 * search from the working directory up to the project root (the nearest package.json).
 */
export async function findConfig(options: FindConfigOptions = {}): Promise<RawConfig | undefined> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.configPath) {
    const path = isAbsolute(options.configPath) ? options.configPath : resolvePath(cwd, options.configPath);
    const label = options.configPath;
    const source: ConfigSource = { kind: "flag", label, baseDir: dirname(path), code: isCodeConfig(path) };
    if (source.code) {
      if (!options.allowCodeConfig) throw codeRefused(label);
      return { raw: await importCodeConfig(path, label), source };
    }
    let text: string;
    try {
      text = await readTextFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UserError("config_not_found", `${label}: cannot read the config file (${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (code ?? "read error")})`, {
        file: label,
        hint: "check the path given to --config",
      });
    }
    const ext = extname(path).toLowerCase();
    const isJson = ext === ".json" || path.endsWith("package.json") || (ext !== ".yaml" && ext !== ".yml" && /^\s*[{[]/.test(text));
    if (!isJson) await loadYaml();
    let raw: unknown;
    if (ext === ".yaml" || ext === ".yml") raw = parseYamlText(text, label);
    else if (ext === ".json" || path.endsWith("package.json")) raw = parseJsonText(text, label, "fix the JSON syntax (a trailing comma or a missing quote?)");
    else raw = /^\s*[{[]/.test(text) ? parseJsonText(text, label, "fix the JSON syntax") : parseYamlText(text, label);
    if (path.endsWith("package.json")) {
      raw = (raw as Record<string, unknown> | null)?.[MODULE_NAME];
      if (raw === undefined) throw new UserError("config_not_found", `${label}: has no "${MODULE_NAME}" key`, { file: label, hint: `add a "${MODULE_NAME}" object to package.json` });
    }
    return { raw, source };
  }

  const envText = env[CONFIG_ENV];
  if (envText !== undefined && envText.trim() !== "") {
    // The Socket CLI silently ignored invalid JSON here and sent nothing (B2).
    const raw = parseJsonText(envText, CONFIG_ENV, `${CONFIG_ENV} must hold a JSON object; check the quoting in your CI secret`);
    return { raw, source: { kind: "env", label: CONFIG_ENV, baseDir: cwd, code: false } };
  }

  // A loader that returned nothing made cosmiconfig skip the file silently; refusing must be an error.
  const codeLoader: Loader = async (filepath) => {
    if (!options.allowCodeConfig) throw codeRefused(filepath);
    return importCodeConfig(filepath, filepath);
  };
  await loadYaml();
  const { cosmiconfig } = await importModule<typeof import("cosmiconfig")>("cosmiconfig");
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: [...DATA_CONFIG_FILES, ...CODE_CONFIG_FILES],
    // Stop at the project root (toolchain.md P6: the default searches only the start directory).
    searchStrategy: "project",
    loaders: {
      ".json": jsonLoader,
      ".yaml": yamlLoader,
      ".yml": yamlLoader,
      noExt: rcLoader,
      ".js": codeLoader,
      ".cjs": codeLoader,
      ".mjs": codeLoader,
      ".ts": codeLoader,
    },
    cache: false,
  });
  const found = await explorer.search(cwd);
  if (!found) return undefined;
  const source: ConfigSource = { kind: "search", label: found.filepath, baseDir: dirname(found.filepath), code: isCodeConfig(found.filepath) };
  if (source.code && !options.allowCodeConfig) throw codeRefused(found.filepath);
  return { raw: found.config, source };
}

async function importCodeConfig(path: string, label: string): Promise<unknown> {
  try {
    const mod = await importModule<{ default?: unknown }>(pathToFileURL(path).href);
    const v = mod.default ?? mod;
    return typeof v === "function" ? await (v as () => unknown)() : v;
  } catch (e) {
    throw new UserError("config_invalid", `${label}: loading the config module failed: ${(e as Error).message.split("\n")[0]}`, {
      file: label,
      hint: "run it with node to see the error",
      cause: e,
    });
  }
}

export function noConfigError(): UserError {
  return new UserError("config_not_found", "no config found", {
    hint: `set ${CONFIG_ENV}, pass --config PATH, or add a .socketnotifyrc.json (see the README's config reference)`,
  });
}
