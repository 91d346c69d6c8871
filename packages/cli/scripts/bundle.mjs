// Build step after `tsc -b`: bundles dist/cli.js into dist/cli.bundle.cjs and makes its V8 code
// cache (dist/cli.bundle.cache), which dist/bin.cjs loads (see src/bundle-loader.cts for why).
//
// What stays out of the bundle, loaded from node_modules only when a run needs it:
// the Slack SDKs (bot mode sends), yaml (YAML configs), and
// classic zod (plugins' host.z; core's classic-zod.ts imports it through importModule). The CLI's
// own schemas are zod/mini, which is in the bundle.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(pkg, "dist");
const { BUNDLE_FILE, CACHE_FILE, WRAPPER_PARAMS, loadBundle } = (await import(join(dist, "bundle-loader.cjs"))).default;
const bundle = join(dist, BUNDLE_FILE);

await build({
  entryPoints: [join(dist, "cli.js")],
  outfile: bundle,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  external: ["@slack/web-api", "@slack/webhook", "yaml"],
  // The loader passes the bundle's own URL; it sits in dist/ like the modules it replaces.
  define: { "import.meta.url": "__bundle.url" },
  // No keepNames: it adds a defineProperty per function at load (~3 ms of start-up). Error
  // names (`UserError`, shown to users and in reports) are class names, which esbuild keeps
  // unless two collide; cli-bundle.test.ts checks the bundle and the modules print the same.
  keepNames: false,
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: "none",
  // The loader reads the file as latin1 (faster than utf8): non-ASCII is escaped, checked below.
  charset: "ascii",
  banner: { js: `(function (${WRAPPER_PARAMS}) {` },
  footer: { js: "})" },
  plugins: [englishOnlyZodLocales(), importThroughLoader()],
  logLevel: "warning",
});

// The loader compiles the bundle from a code cache, and such a script has no way to `import()`.
const text = readFileSync(bundle, "utf8");
const stray = text.match(/.{0,60}\bimport\(.{0,40}/);
if (stray) throw new Error(`bundle: an import() outside core's importModule would fail at run time: …${stray[0]}…`);
const nonAscii = text.match(/.{0,40}[^\x00-\x7f].{0,20}/);
if (nonAscii) throw new Error(`bundle: non-ASCII text, which the loader's latin1 read would garble: …${nonAscii[0]}…`);

// The code cache is made after a real run, so it holds the functions a run compiles too, not only
// the top level. A dry run sends nothing; the temporary files are removed afterwards.
const tmp = mkdtempSync(join(tmpdir(), "socket-notify-bundle-"));
try {
  const report = join(tmp, "report.json");
  writeFileSync(report, JSON.stringify(warmUpReport()));
  const webhook = join(tmp, "webhook.json");
  writeFileSync(webhook, JSON.stringify({ url: [{ name: "sec", url: { env: "WARM_UP_WEBHOOK" } }, { name: "all", url: { env: "WARM_UP_WEBHOOK" } }], url_configs: { sec: { min_severity: "high" } } }));
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
  writeFileSync(join(dist, CACHE_FILE), script.createCachedData());
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
chmodSync(join(dist, "bin.cjs"), 0o755);

/** A small `--enable-json` report (Socket CLI Issue objects, see the reference's §2.1). */
function warmUpReport() {
  const kinds = [["malware", "Known malware", "critical", true], ["criticalCVE", "Critical CVE", "critical", true], ["cve", "High CVE", "high", true], ["installScripts", "Install scripts", "middle", false], ["envVars", "Environment variable access", "low", false]];
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
 * from node_modules, with every locale.)
 */
function englishOnlyZodLocales() {
  return {
    name: "english-only-zod-locales",
    setup(b) {
      b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        /[\\/]zod[\\/]v4[\\/](classic|core|mini)$/.test(args.resolveDir) ? { path: join(args.resolveDir, "../locales/en.js"), namespace: "zod-en-locale" } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: "zod-en-locale" }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(args.path)};`,
        resolveDir: dirname(args.path),
        loader: "js",
      }));
    },
  };
}

/** core's importModule (src/dynamic-import.ts) calls the loader's `import()` (`__import`). */
function importThroughLoader() {
  return {
    name: "import-through-loader",
    setup(b) {
      b.onLoad({ filter: /[\\/]core[\\/]dist[\\/]dynamic-import\.js$/ }, () => ({
        contents: "export function importModule(specifier) { return __import(specifier); }",
        loader: "js",
      }));
    },
  };
}
