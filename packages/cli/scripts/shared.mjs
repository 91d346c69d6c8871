// Pieces shared by the CLI's bundles: bundle.mjs (dist/, the build), standalone.mjs (the release
// tarball's self-contained bundle) and action-bundle.mjs (the GitHub Action's committed bundle).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * Bundle text checks: the loader reads the file as latin1 (non-ASCII would be garbled), and a
 * script compiled from a code cache cannot `import()` (allowed: strings in `allowImports`).
 */
export function checkBundleText(file, { allowImports = [] } = {}) {
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/.{0,60}\bimport\(.{0,40}/g)) {
    // A method named `import` (the state store's `import(document, mode)`) is not a dynamic import.
    if (/(?:^|[;{}\s])(?:async\s+)?import\([\w$,=" ]*\)\{/.test(m[0].slice(m[0].search(/(?:async\s+)?\bimport\(/) - 1)))
      continue;
    if (!allowImports.some((a) => m[0].includes(a)))
      throw new Error(`bundle: an import() outside core's importModule would fail at run time: …${m[0]}…`);
  }
  const nonAscii = text.match(/.{0,40}[^\x00-\x7f].{0,20}/);
  if (nonAscii)
    throw new Error(`bundle: non-ASCII text, which the loader's latin1 read would garble: …${nonAscii[0]}…`);
}

/**
 * Writes the V8 code cache of the bundle at `bundle` to `cacheFile`, made after real dry runs so
 * it holds the functions a run compiles too, not only the top level. A dry run sends nothing;
 * the temporary files are removed afterwards.
 */
export async function writeCodeCache(bundle, cacheFile, loadBundle) {
  const tmp = mkdtempSync(join(tmpdir(), "socket-notify-bundle-"));
  try {
    const report = join(tmp, "report.json");
    writeFileSync(report, JSON.stringify(warmUpReport()));
    const webhook = join(tmp, "webhook.json");
    writeFileSync(
      webhook,
      JSON.stringify({
        url: [
          { name: "sec", url: { env: "WARM_UP_WEBHOOK" } },
          { name: "all", url: { env: "WARM_UP_WEBHOOK" } },
        ],
        url_configs: { sec: { min_severity: "high" } },
      }),
    );
    const bot = join(tmp, "bot.json");
    writeFileSync(bot, JSON.stringify({ mode: "bot", bot_configs: [{ name: "sec", channels: ["security"] }] }));
    const { exports, script } = loadBundle(bundle);
    let said = "";
    const sink = { write: (chunk) => ((said += chunk), true) };
    const io = { stdout: sink, stderr: sink, env: { CI: "true" }, cwd: tmp };
    for (const config of [webhook, bot]) {
      for (const json of [[], ["--json"]]) {
        said = "";
        const code = await exports.main(["send", report, "--dry-run", "-c", config, ...json], io);
        if (code !== 0) throw new Error(`bundle warm-up: send --dry-run -c ${config} exited ${code}:\n${said}`);
      }
    }
    writeFileSync(cacheFile, script.createCachedData());
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Replaces core's importModule (src/dynamic-import.ts). `bundled`: specifiers served from inside
 * the bundle (esbuild turns a literal `import("yaml")` into a lazy require of the bundled copy);
 * anything else (plugins, code configs: file URLs) goes to `fallback`, an expression of
 * `specifier`: the loader's `__import(specifier)` for a code-cached script, else `import(specifier)`.
 */
export function replaceImportModule({ bundled = [], fallback }) {
  const cases = bundled.map((s) => `    case ${JSON.stringify(s)}: return import(${JSON.stringify(s)});`).join("\n");
  return {
    name: "replace-import-module",
    setup(b) {
      b.onLoad({ filter: /[\\/]core[\\/]dist[\\/]dynamic-import\.js$/ }, () => ({
        contents: `export function importModule(specifier) {\n  switch (specifier) {\n${cases}\n  }\n  return ${fallback};\n}\n`,
        loader: "js",
      }));
    },
  };
}

/** A small `--enable-json` report (Socket CLI Issue objects, see the reference's §2.1). */
export function warmUpReport() {
  const kinds = [
    ["malware", "Known malware", "critical", true],
    ["criticalCVE", "Critical CVE", "critical", true],
    ["cve", "High CVE", "high", true],
    ["installScripts", "Install scripts", "middle", false],
    ["envVars", "Environment variable access", "low", false],
  ];
  return {
    scan_failed: true,
    full_scan_id: "warm-up",
    repo: "acme/app",
    branch: "main",
    new_alerts: Array.from({ length: 12 }, (_, i) => {
      const [type, title, severity, error] = kinds[i % kinds.length];
      return {
        pkg_type: "npm",
        pkg_name: `pkg-${i}`,
        pkg_version: "1.0.0",
        pkg_id: `p${i}`,
        props: type.includes("CVE") || type === "cve" ? { cveId: `CVE-2024-${10000 + i}` } : {},
        key: `k${i}`,
        type,
        severity,
        title,
        description: "warm-up",
        suggestion: "",
        next_step_title: "",
        introduced_by: [["direct", "package.json"]],
        purl: `pkg-${i}@1.0.0`,
        url: `https://socket.dev/npm/package/pkg-${i}/overview/1.0.0`,
        manifests: "package.json",
        error,
        warn: !error,
        monitor: false,
        ignore: false,
      };
    }),
  };
}

/**
 * zod's `locales` namespace holds ~50 translations of its error messages; socket-notify writes
 * its own English messages, so the bundle's zod/mini carries only `en`. (Plugins get classic zod
 * from node_modules, with every locale; in the self-contained bundles, standalone.mjs and
 * action-bundle.mjs, classic zod is inside too, also with `en` only.)
 */
export function englishOnlyZodLocales() {
  return {
    name: "english-only-zod-locales",
    setup(b) {
      // The module's name is relative (it appears in the bundle): the same bytes on any machine.
      b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
        if (!/[\\/]zod[\\/]v4[\\/](classic|core|mini)$/.test(args.resolveDir)) return undefined;
        return {
          path: "zod/v4/locales/en.js",
          namespace: "zod-en-locale",
          pluginData: { file: join(args.resolveDir, "../locales/en.js") },
        };
      });
      b.onLoad({ filter: /.*/, namespace: "zod-en-locale" }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(args.pluginData.file)};`,
        resolveDir: dirname(args.pluginData.file),
        loader: "js",
      }));
    },
  };
}
