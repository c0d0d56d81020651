// Loaded by vitest before every test file (vitest.config.ts `setupFiles`): llmstream's data folder
// is a fresh temporary one, so no test (nor a CLI it starts, which inherits the environment) can
// write to the user's real request log. A test that needs another folder sets LLMSTREAM_HOME itself.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

process.env.LLMSTREAM_HOME = mkdtempSync(join(tmpdir(), "llmstream-test-home-"));
