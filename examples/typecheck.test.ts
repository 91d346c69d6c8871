/**
 * The examples are plain JavaScript with JSDoc types (so they run with no build step); this
 * keeps those types honest against the current core API, as CI's build step would for TS.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

it("the examples type-check against the published types (tsc -p examples)", () => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(here, "tsconfig.json"), "--pretty", "false"], {
    encoding: "utf8",
  });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
}, 60_000);
