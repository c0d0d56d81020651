import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // A temporary LLMSTREAM_HOME for every test file (test/readme and test/setup say why).
    setupFiles: ["test/setup/isolateHome.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: the engine and subprocess tests are CPU-bound, so keep parallelism modest.
    maxWorkers: 2,
  },
});
