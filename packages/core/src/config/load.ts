// Synchronous file calls: a config is found and read once, before anything else runs, and
// node:fs/promises would load ~2 ms of modules into every start (bench/README.md, figure 5).
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, extname, isAbsolute, join, resolve as resolvePath, sep } from "node:path";
import { pathToFileURL } from "node:url";
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
  /**
   * A pull request cannot have written it: the environment variable, an embedding tool's
   * config, or a --config file outside the checkout. Only such a config may point an API URL
   * that receives a credential at loopback (the emulator), where a PR's own listener could run.
   */
  trusted?: boolean;
}

export interface RawConfig {
  raw: unknown;
  source: ConfigSource;
  /** Notes about the file found while reading it (e.g. a YAML tag that is read as plain text). */
  warnings?: string[];
}

export interface FindConfigOptions {
  configPath?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  allowCodeConfig?: boolean;
}

function parseJsonText(text: string, label: string, hint: string): unknown {
  const clean = text.replace(/^\uFEFF/, "");
  if (clean.trim() === "")
    throw new UserError("config_invalid", `${label}: the file is empty`, {
      file: label,
      hint: 'a config is a JSON object, e.g. {"url": {"env": "SLACK_WEBHOOK_URL"}}',
    });
  if (/[\u0000-\u0008\u000e-\u001f]/.test(clean.slice(0, 512))) {
    throw new UserError("config_invalid", `${label}: this is a binary file, not JSON`, {
      file: label,
      hint: "check the path given to --config",
    });
  }
  try {
    return JSON.parse(clean);
  } catch {
    // Not Node's message: it quotes the text near the error, which may be part of a secret (json-error.ts).
    throw new UserError("config_invalid", `${label}: invalid JSON${describeJsonError(clean)}`, { file: label, hint });
  }
}

// Loaded on first use: most runs have a JSON config (start-up time, bench/README.md).
let yamlModule: typeof import("yaml") | undefined;
async function loadYaml(): Promise<void> {
  yamlModule ??= await import("yaml");
}

// YAML's own messages can quote the source ("Unresolved tag: !vault … b: !vault xoxb-…"), so
// errors and warnings are told in our words, from the error's code and position only.
const YAML_PROBLEMS: Record<string, string> = {
  DUPLICATE_KEY: "a key is given twice",
  BAD_INDENT: "bad indentation",
  TAB_AS_INDENT: "a tab used for indentation",
  MULTIPLE_DOCS: "more than one YAML document",
  BAD_ALIAS: "an alias to an anchor that is not defined",
  TAG_RESOLVE_FAILED: "a YAML tag socket-notify does not know",
  MISSING_CHAR: "a closing quote or bracket is missing",
  UNEXPECTED_TOKEN: "unexpected text",
  MULTILINE_IMPLICIT_KEY: "a key that spans lines",
  BLOCK_AS_IMPLICIT_KEY: "a block used as a key",
};

function yamlProblem(e: { code: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): {
  pos: string;
  what: string;
} {
  const pos = e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "";
  return { pos, what: YAML_PROBLEMS[e.code] ?? e.code.toLowerCase().replace(/_/g, " ") };
}

function parseYamlText(text: string, label: string, warnings?: string[]): unknown {
  // parseDocument never prints (parse() logs warnings to the console, quoting the line).
  const doc = yamlModule!.parseDocument(text, { uniqueKeys: true, logLevel: "silent" });
  const error = doc.errors[0];
  if (error) {
    const { pos, what } = yamlProblem(error);
    throw new UserError("config_invalid", `${label}: invalid YAML${pos}: ${what}`, {
      file: label,
      hint: "check the indentation and quoting near that line",
    });
  }
  for (const w of doc.warnings) {
    const { pos, what } = yamlProblem(w);
    warnings?.push(
      w.code === "TAG_RESOLVE_FAILED"
        ? `${label}${pos}: ${what}: the value is read as plain text`
        : `${label}${pos}: ${what}`,
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    throw new UserError("config_invalid", `${label}: invalid YAML: too many aliases or an alias loop`, {
      file: label,
      hint: "expand the aliases (*name) in the file",
    });
  }
}

type Loader = (label: string, content: string, warnings: string[]) => unknown;
const jsonLoader: Loader = (label, content) =>
  parseJsonText(content, label, "fix the JSON syntax (a trailing comma or a missing quote?)");
const yamlLoader: Loader = (label, content, warnings) => parseYamlText(content, label, warnings);
/** `.socketnotifyrc` with no extension: JSON or YAML, like other rc files. */
const rcLoader: Loader = (label, content, warnings) =>
  /^\s*[{[]/.test(content) ? jsonLoader(label, content, warnings) : yamlLoader(label, content, warnings);

function loaderFor(path: string): Loader {
  const ext = extname(path).toLowerCase();
  if (ext === ".json") return jsonLoader;
  if (ext === ".yaml" || ext === ".yml") return yamlLoader;
  return rcLoader;
}

/** Config files are small; a bigger one is a mistake (or /dev/zero behind a name). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Kernel-made files: they look like regular files (/proc/self/environ is the CI's secrets). */
const SYSTEM_DIRS = ["/proc", "/sys", "/dev"];

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

function notRegular(label: string, what: string, hint: string): UserError {
  return new UserError("config_invalid", `${label}: ${what}`, { file: label, hint });
}

/**
 * Read a config file that must be a regular file of at most MAX_CONFIG_BYTES: not a FIFO
 * (which would hang), a device (/dev/zero, endless) or a kernel file under /proc or /sys. The
 * file is opened non-blocking and checked on the open descriptor, so it cannot be swapped for
 * a FIFO in between.
 */
async function readConfigText(path: string, label: string, hint: string): Promise<string> {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      "config_not_found",
      `${label}: cannot read the config file (${code === "ENOENT" ? "no such file" : (code ?? "read error")})`,
      { file: label, hint },
    );
  }
  if (SYSTEM_DIRS.some((d) => under(real, d)))
    throw notRegular(label, "is not a regular file (it is a system file)", hint);
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      "config_not_found",
      `${label}: cannot read the config file (${code === "EISDIR" ? "it is a directory" : (code ?? "read error")})`,
      { file: label, hint },
    );
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory())
      throw new UserError("config_not_found", `${label}: cannot read the config file (it is a directory)`, {
        file: label,
        hint,
      });
    if (!st.isFile())
      throw notRegular(
        label,
        `is not a regular file (${st.isFIFO() ? "a FIFO" : st.isSocket() ? "a socket" : "a device"})`,
        hint,
      );
    if (st.size > MAX_CONFIG_BYTES)
      throw notRegular(label, `is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB; a config file is a few KB`, hint);
    const buf = Buffer.alloc(Math.min(st.size, MAX_CONFIG_BYTES) + 1);
    let n = 0;
    for (;;) {
      const bytesRead = readSync(fd, buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n >= buf.length)
        throw notRegular(
          label,
          `is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB; a config file is a few KB`,
          hint,
        );
    }
    return buf.toString("utf8", 0, n);
  } finally {
    try {
      closeSync(fd);
    } catch {
      // closing a descriptor we only read cannot lose anything
    }
  }
}

/**
 * The directory a file found by the search must stay inside: the checkout (the nearest
 * directory with `.git`), else the project (the nearest with a package.json), else the
 * directory the search found it in. A pull request can commit a symbolic link; one that points
 * outside (to /proc/self/environ, a runner's credentials file) is refused.
 */
async function isInside(path: string, root: string): Promise<boolean> {
  try {
    return under(realpathSync(path), realpathSync(root));
  } catch {
    return false;
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The nearest ancestors of `start` (itself included) that hold a package.json (or package.yaml) and a .git. */
async function projectDirs(start: string): Promise<{ project?: string; git?: string }> {
  const found: { project?: string; git?: string } = {};
  for (let dir = start; ; dir = dirname(dir)) {
    if (
      found.project === undefined &&
      ((await exists(join(dir, "package.json"))) || (await exists(join(dir, "package.yaml"))))
    )
      found.project = dir;
    if (found.git === undefined && (await exists(join(dir, ".git")))) found.git = dir;
    if ((found.project !== undefined && found.git !== undefined) || dirname(dir) === dir) return found;
  }
}

export function isCodeConfig(path: string): boolean {
  return CODE_EXTS.has(extname(path).toLowerCase());
}

function codeRefused(label: string): UserError {
  return new UserError(
    "config_code_not_allowed",
    `${label}: this config file runs code, and code config files load only with --allow-code-config`,
    {
      file: label,
      hint: "in CI a pull request could add such a file to read your tokens; use a JSON/YAML config, or pass --allow-code-config if you trust it",
    },
  );
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
    const text = await readConfigText(path, label, "check the path given to --config");
    // A --config file inside the checkout is as much the pull request's as a file the search finds.
    const roots = await projectDirs(cwd);
    const checkout = roots.git ?? roots.project ?? cwd;
    source.trusted = !(await isInside(path, checkout));
    const warnings: string[] = [];
    const ext = extname(path).toLowerCase();
    const isJson =
      ext === ".json" || path.endsWith("package.json") || (ext !== ".yaml" && ext !== ".yml" && /^\s*[{[]/.test(text));
    if (!isJson) await loadYaml();
    let raw: unknown;
    if (ext === ".yaml" || ext === ".yml") raw = parseYamlText(text, label, warnings);
    else if (ext === ".json" || path.endsWith("package.json"))
      raw = parseJsonText(text, label, "fix the JSON syntax (a trailing comma or a missing quote?)");
    else
      raw = /^\s*[{[]/.test(text)
        ? parseJsonText(text, label, "fix the JSON syntax")
        : parseYamlText(text, label, warnings);
    if (path.endsWith("package.json")) {
      raw = (raw as Record<string, unknown> | null)?.[MODULE_NAME];
      if (raw === undefined)
        throw new UserError("config_not_found", `${label}: has no "${MODULE_NAME}" key`, {
          file: label,
          hint: `add a "${MODULE_NAME}" object to package.json`,
        });
    }
    return { raw, source, warnings };
  }

  const envText = env[CONFIG_ENV];
  if (envText !== undefined && envText.trim() !== "") {
    // The Socket CLI silently ignored invalid JSON here and sent nothing (B2).
    const raw = parseJsonText(
      envText,
      CONFIG_ENV,
      `${CONFIG_ENV} must hold a JSON object; check the quoting in your CI secret`,
    );
    return { raw, source: { kind: "env", label: CONFIG_ENV, baseDir: cwd, code: false, trusted: true } };
  }

  return searchConfig(resolvePath(cwd), options.allowCodeConfig === true);
}

/**
 * The search, from the working directory up to the project root (the nearest directory with a
 * package.json; the file system root without one), first file found wins, in the order of
 * DATA_CONFIG_FILES then CODE_CONFIG_FILES in each directory. Like cosmiconfig's "project"
 * strategy, which it replaces: cosmiconfig reads whatever a name points at (a FIFO hangs it, a
 * link to /proc/self/environ is parsed) and follows `$import` keys to any path.
 */
async function searchConfig(start: string, allowCodeConfig: boolean): Promise<RawConfig | undefined> {
  const roots = await projectDirs(start);
  const checkout = roots.git ?? roots.project;
  const hint =
    "a config found in the checkout must be a regular file inside it; pass your config with --config or SOCKET_SLACK_CONFIG_JSON instead";
  for (let dir = start; ; dir = dirname(dir)) {
    for (const name of [...DATA_CONFIG_FILES, ...CODE_CONFIG_FILES]) {
      const path = join(dir, name);
      let st;
      try {
        st = lstatSync(path);
      } catch {
        continue; // ENOENT, ENOTDIR, EACCES: not there
      }
      if (st.isDirectory()) continue;
      const root = checkout !== undefined && under(dir, checkout) ? checkout : dir;
      if (st.isSymbolicLink()) {
        const target = statOrUndefined(path);
        if (target?.isDirectory()) continue;
        if (!target || !(await isInside(path, root)))
          throw notRegular(
            path,
            `is a symbolic link to a file outside ${root}; a config found by the search must be inside the checkout`,
            hint,
          );
      }
      const source: ConfigSource = {
        kind: "search",
        label: path,
        baseDir: dir,
        code: isCodeConfig(path),
        trusted: false,
      };
      if (source.code) {
        if (!allowCodeConfig) throw codeRefused(path);
        return { raw: await importCodeConfig(path, path), source };
      }
      const text = await readConfigText(path, path, hint);
      // An empty file does not count (as with cosmiconfig): the search goes on.
      if (text.trim() === "") continue;
      const warnings: string[] = [];
      const loader = loaderFor(path);
      if (loader !== jsonLoader) await loadYaml();
      let raw = loader(path, text, warnings);
      if (basename(path) === "package.json") {
        raw = (raw as Record<string, unknown> | null)?.[MODULE_NAME];
        if (raw === undefined || raw === null) continue;
      }
      return { raw, source, warnings };
    }
    if (dir === roots.project || dirname(dir) === dir) return undefined;
  }
}

async function importCodeConfig(path: string, label: string): Promise<unknown> {
  try {
    const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    const v = mod.default ?? mod;
    return typeof v === "function" ? await (v as () => unknown)() : v;
  } catch (e) {
    throw new UserError(
      "config_invalid",
      `${label}: loading the config module failed: ${(e as Error).message.split("\n")[0]}`,
      {
        file: label,
        hint: "run it with node to see the error",
        cause: e,
      },
    );
  }
}

export function noConfigError(): UserError {
  return new UserError("config_not_found", "no config found", {
    hint: `set ${CONFIG_ENV}, pass --config PATH, or add a .socketnotifyrc.json (see the README's config reference)`,
  });
}
