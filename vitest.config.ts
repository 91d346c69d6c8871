import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // vite 8 (oxc) reads decorator flags from the tsconfig that includes a file; test files are
  // excluded from the package builds, so say it explicitly (toolchain.md P3).
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    setupFiles: ["reflect-metadata"],
    // The Socket CLI fixtures, copied into the repo from the reference material (shared/fixtures).
    env: { SOCKET_FIXTURES: fileURLToPath(new URL("./test/fixtures/socket-cli", import.meta.url)) },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
