import { defineConfig } from "vitest/config";

export default defineConfig({
  // vite 8 (oxc) reads decorator flags from the tsconfig that includes a file; test files are
  // excluded from the package builds, so say it explicitly (toolchain.md P3).
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    setupFiles: ["reflect-metadata"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
