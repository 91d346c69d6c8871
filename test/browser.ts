/**
 * Headless Chromium for the preview tests: Debian's /usr/bin/chromium (apt-get install chromium),
 * driven by playwright-core; never a downloaded browser. Where it is missing the tests skip
 * with a visible line, except when SOCKET_NOTIFY_REQUIRE_SERVICES=1 (.ci/run), where a
 * missing browser fails them.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = process.env.SOCKET_NOTIFY_CHROMIUM ?? "/usr/bin/chromium";
export const REQUIRE_SERVICES = process.env.SOCKET_NOTIFY_REQUIRE_SERVICES === "1";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** True when the browser tests must be skipped (and says so); throws when CI requires them. */
export function skipWithoutChromium(what: string): boolean {
  if (HAVE_CHROMIUM) return false;
  if (REQUIRE_SERVICES)
    throw new Error(
      `${what} needs Chromium at ${CHROMIUM} and SOCKET_NOTIFY_REQUIRE_SERVICES=1: apt-get install chromium`,
    );
  console.warn(`SKIPPED: ${what} needs Chromium (${CHROMIUM}): apt-get install chromium`);
  return true;
}

/** Flags from toolchain.md: headless as root, nothing phoning home, a fresh profile. */
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), "chromium-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
