import { defineConfig } from "vitest/config";

// Runs the conformance kit against deliberately broken plugins (see ../src/conformance.test.ts).
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["*.fixture.ts"],
    setupFiles: ["reflect-metadata"],
    testTimeout: 30_000,
  },
});
