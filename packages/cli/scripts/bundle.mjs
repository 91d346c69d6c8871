// Build step after `tsc -b`: bundles dist/cli.js into dist/cli.bundle.cjs and makes its V8 code
// cache (dist/cli.bundle.cache), which dist/bin.cjs loads. Why, and what it earns: bench/README.md.
//
// Left out of the bundle, loaded from node_modules only by the commands and runs that need them:
// the Slack SDKs (bot mode), yaml (YAML configs), undici (proxies), the receiver (serve) and the
// state store. (The release tarball's bundle, standalone.mjs, carries those too.)
import { chmodSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import {
  checkBundleText,
  englishOnlyZodLocales,
  lazyNamespaces,
  routeDynamicImports,
  writeCodeCache,
} from "./shared.mjs";

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(pkg, "dist");
const { BUNDLE_FILE, CACHE_FILE, WRAPPER_PARAMS, loadBundle } = (await import(join(dist, "bundle-loader.cjs"))).default;
const bundle = join(dist, BUNDLE_FILE);

/** esbuild options of the code-cached CLI bundle; standalone.mjs reuses them. */
export function cliBundleOptions(outfile) {
  return {
    entryPoints: [join(dist, "cli.js")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["@slack/web-api", "@slack/webhook", "yaml", "undici", "@socket-notify/serve", "@socket-notify/state"],
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
    plugins: [englishOnlyZodLocales()],
    logLevel: "warning",
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build(cliBundleOptions(bundle));
  routeDynamicImports(bundle);
  lazyNamespaces(bundle);
  checkBundleText(bundle);
  await writeCodeCache(bundle, join(dist, CACHE_FILE), loadBundle);
  chmodSync(join(dist, "bin.cjs"), 0o755);
}
