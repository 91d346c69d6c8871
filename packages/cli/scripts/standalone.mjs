// The release tarball's CLI bundle (scripts/release.mjs): like bundle.mjs's, but with nothing
// left outside, so the package has no dependencies and installs offline. The Slack Web API SDK,
// yaml and undici (proxies) are in it (still loaded lazily, on first use); only plugins and code
// configs, which are the user's files, are imported from outside.
import { join } from "node:path";
import { build } from "esbuild";
import { cliBundleOptions } from "./bundle.mjs";
import { checkBundleText, lazyNamespaces, routeDynamicImports, writeCodeCache } from "./shared.mjs";

/** Writes `cli.bundle.cjs` and its code cache into `dir` (a staged package's dist/). */
export async function buildStandalone(dir, loader) {
  const bundle = join(dir, loader.BUNDLE_FILE);
  await build({
    ...cliBundleOptions(bundle),
    external: [],
  });
  routeDynamicImports(bundle);
  lazyNamespaces(bundle);
  checkBundleText(bundle);
  await writeCodeCache(bundle, join(dir, loader.CACHE_FILE), loader.loadBundle);
}
