// Pieces shared by the CLI's bundles: bundle.mjs (dist/, the build), standalone.mjs (the release
// tarball's self-contained bundle) and action-bundle.mjs (the GitHub Action's committed bundle).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Where a dynamic `import(` starts in bundle text: not `x.import(`, not a method named `import`. */
function dynamicImports(text) {
  const at = [];
  for (const m of text.matchAll(/(?<![\w$.])import\(/g)) {
    // A method named `import` (the state store's `import(document, mode)`) is not a dynamic import.
    if (/^import\([\w$,=" ]*\)\{/.test(text.slice(m.index, m.index + 80))) continue;
    at.push(m.index);
  }
  return at;
}

/**
 * A script compiled from a V8 code cache cannot `import()` (Node keeps no module loader for it),
 * so in the code-cached bundles every dynamic import left in the text (a plugin, a code config:
 * the user's files) becomes a call of the loader's `__import` (src/bundle-loader.cts). Imports
 * of packages are not among them: esbuild has made those `require`s or bundled modules.
 */
export function routeDynamicImports(file) {
  const text = readFileSync(file, "latin1");
  let out = "";
  let from = 0;
  for (const i of dynamicImports(text)) {
    out += `${text.slice(from, i)}__import(`;
    from = i + "import(".length;
  }
  writeFileSync(file, out + text.slice(from), "latin1");
}

/**
 * esbuild builds each namespace object a bundle uses as a value (`import * as z`) at start-up: a
 * getter per export, each a new function. zod's are over a thousand (host.z is zod's namespace,
 * which holds `z.core`, `z.util`, `z.regexes`, …): ~9 ms of every start (bench/README.md, figure 5)
 * for objects a run reads only when a plugin builds its options from `host.z`. This makes each
 * large one a Proxy whose target is the namespace object itself, given its getters on the first
 * touch of any kind: reads, `in`, keys and descriptors see exactly what they saw before (so the
 * Proxy's invariants hold), and writes are refused, as on a namespace.
 */
export function lazyNamespaces(file, { minExports = 20 } = {}) {
  const text = readFileSync(file, "latin1");
  let made = 0;
  const body = text.replace(/var (\w+)=\{\};__export\(\1,\{([^{}]*)\}\);/g, (all, id, getters) => {
    if ((getters.match(/=>/g) ?? []).length < minExports) return all;
    made++;
    return `var ${id}=__lazyNamespace(()=>({${getters}}));`;
  });
  // esbuild's output changed shape: fail the build rather than silently lose the start-up time.
  if (made === 0) throw new Error(`bundle: no namespace object with ${minExports}+ exports found (lazyNamespaces)`);
  const helper =
    "var __lazyNamespace=(getters)=>{const ns={};let made=false;const real=()=>{if(!made){made=true;__export(ns,getters())}return ns};" +
    "return new Proxy(ns,{get:(_,k)=>real()[k],has:(_,k)=>k in real(),ownKeys:()=>Reflect.ownKeys(real())," +
    "getOwnPropertyDescriptor:(_,k)=>Reflect.getOwnPropertyDescriptor(real(),k),getPrototypeOf:()=>Reflect.getPrototypeOf(real())," +
    "isExtensible:()=>Reflect.isExtensible(real()),preventExtensions:()=>Reflect.preventExtensions(real())," +
    "set:()=>false,defineProperty:()=>false,deleteProperty:()=>false})};";
  const at = body.indexOf('"use strict";');
  if (at < 0) throw new Error('bundle: no "use strict" prologue to put the lazy namespace helper after');
  const end = at + '"use strict";'.length;
  writeFileSync(file, body.slice(0, end) + helper + body.slice(end), "latin1");
  return made;
}

/**
 * Bundle text checks: the loader reads the file as latin1 (non-ASCII would be garbled), and, with
 * `dynamicImport: false`, no `import()` is left (see routeDynamicImports).
 */
export function checkBundleText(file, { dynamicImport = false } = {}) {
  const text = readFileSync(file, "utf8");
  const left = dynamicImports(text);
  if (!dynamicImport && left.length) {
    const i = left[0];
    throw new Error(
      `bundle: an import() a code-cached script cannot run: …${text.slice(Math.max(0, i - 60), i + 40)}…`,
    );
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
 * its own English messages, so the bundles' zod carries only `en` (a third of the CLI bundle).
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
