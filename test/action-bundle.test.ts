/**
 * The Action runs the committed dist-action/index.cjs, so a source change that is not rebundled
 * would ship old code to every workflow: this fails until `npm run build:action` is run and the
 * result committed. The bundle is built afresh from the current build (each package's dist/) and
 * compared byte for byte; it has no code cache or paths in it, so the same source gives the
 * same bytes on any machine.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { REPO } from "./cli-harness.js";

const run = promisify(execFile);
const SCRIPT = join(REPO, "packages/cli/scripts/action-bundle.mjs");

it("dist-action/index.cjs is what the current source bundles to (regenerate: npm run build:action)", async () => {
  const r = await run(process.execPath, [SCRIPT, "--check"], { cwd: REPO }).catch(
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  expect(r.stderr).toBe("");
  expect(r.stdout).toMatch(/^dist-action\/index\.cjs is up to date/);
}, 120_000);

it("holds no path of the machine that built it (so another checkout builds the same bytes)", () => {
  const text = readFileSync(join(REPO, "dist-action/index.cjs"), "utf8");
  expect(text.includes(REPO)).toBe(false);
  expect(text).not.toMatch(/\/(home|root|tmp|Users|work)\/[\w.-]+\//);
});
