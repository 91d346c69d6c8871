/**
 * Loads the bundled CLI (`cli.bundle.cjs`) with V8's code cache (`cli.bundle.cache`), which make
 * a run start several times faster (why and what was measured: bench/README.md, figure 5).
 * Only Node built-ins are imported here.
 */
import fs = require("node:fs");
import nodeModule = require("node:module");
import path = require("node:path");
import url = require("node:url");
import vm = require("node:vm");

interface CliModule {
  main(argv: string[], io: unknown): Promise<number>;
  processIO(): unknown;
}

interface LoadedBundle {
  exports: CliModule;
  script: vm.Script;
  /** True when V8 refused the cache (another Node version or V8 flags): compiled from source. */
  cacheRejected: boolean;
}

const BUNDLE_FILE = "cli.bundle.cjs";
const CACHE_FILE = "cli.bundle.cache";

/**
 * The bundle is one function expression (the build writes the wrapper into the file, so V8
 * compiles the file's text as it is, without a copy):
 * `(function (exports, require, module, __filename, __dirname, __bundle, __import) {…})`.
 */
const WRAPPER_PARAMS = "exports, require, module, __filename, __dirname, __bundle, __import";

/**
 * Run the bundle at `file` as a CommonJS module. `__bundle.url` stands for `import.meta.url` in
 * the bundled sources (the build defines it so), so paths relative to `dist/` keep working; a
 * getter, because few runs need it (the demo) and building a file URL is not free at start-up.
 */
function loadBundle(file: string, cachedData?: Buffer): LoadedBundle {
  // The build makes the bundle ASCII-only, so latin1 reads the same text as utf8, faster.
  const source = fs.readFileSync(file, "latin1");
  const script = new vm.Script(source, { filename: file, cachedData });
  const module = { exports: {} as CliModule };
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  // A script compiled from a code cache cannot `import()` (Node keeps no loader for it), so the
  // bundle's dynamic imports (plugins, code configs: scripts/shared.mjs routeDynamicImports) come here.
  // Bare names resolve from this package, which depends on every package the bundle leaves out.
  const importFromHere = (specifier: string): Promise<unknown> => import(specifier);
  const bundle = {
    get url(): string {
      return url.pathToFileURL(file).href;
    },
  };
  fn(module.exports, nodeModule.createRequire(file), module, file, path.dirname(file), bundle, importFromHere);
  return {
    exports: module.exports,
    script,
    cacheRejected: cachedData !== undefined && script.cachedDataRejected === true,
  };
}

/** The bundled CLI next to `dir`, or undefined when there is none (a `tsc`-only build). */
function loadBundledCli(dir: string): CliModule | undefined {
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(`${dir}/${CACHE_FILE}`);
  } catch {
    // No cache: still correct, only slower.
  }
  try {
    return loadBundle(`${dir}/${BUNDLE_FILE}`, cachedData).exports;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

// CommonJS under verbatimModuleSyntax: one export assignment (types through the namespace below).
declare namespace loader {
  export type { CliModule, LoadedBundle };
}
const loader = { BUNDLE_FILE, CACHE_FILE, WRAPPER_PARAMS, loadBundle, loadBundledCli };
export = loader;
