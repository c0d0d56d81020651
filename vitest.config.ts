import { defineConfig } from "vitest/config";

export default defineConfig({
  // Imports of our own packages (`llmstream`, `@llmstream/*`) load their TypeScript sources, not their
  // builds: every package's exports map has a `@llmstream/source` condition for this (tsconfig.json's
  // `customConditions` does the same for the type check). Subprocess tests run the built `dist/`.
  // (Vitest also hands these to Node as --conditions, so no bundler-only condition such as "module".)
  ssr: { resolve: { conditions: ["@llmstream/source", "node", "development|production"] } },
  resolve: { conditions: ["@llmstream/source"] },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    // A temporary LLMSTREAM_HOME for every test file (test/readme and test/setup say why).
    setupFiles: ["test/setup/isolateHome.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: the engine and subprocess tests are CPU-bound, so keep parallelism modest.
    maxWorkers: 2,
  },
});
