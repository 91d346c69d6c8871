import { defineConfig } from "vitest/config";

// Runs the conformance kit against deliberately broken plugins (see ../src/conformance.test.ts).
export default defineConfig({
  // Keep vite's cache with the repo's, not in a node_modules beside the fixtures.
  cacheDir: "../../../node_modules/.vite/conformance-mutants",
  test: {
    root: import.meta.dirname,
    include: ["*.fixture.ts"],
    setupFiles: ["reflect-metadata"],
    testTimeout: 30_000,
  },
});
