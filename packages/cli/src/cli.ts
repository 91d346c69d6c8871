/**
 * The CLI as one module: what `bin.cjs` runs. The build bundles this file (and everything it
 * imports) into `dist/cli.bundle.cjs`; without a bundle, `bin.cjs` imports it as it is.
 */
// tsyringe throws at import time without the Reflect polyfill, so it comes first.
import "reflect-metadata";

export { main } from "./main.js";
export { processIO } from "./io.js";
