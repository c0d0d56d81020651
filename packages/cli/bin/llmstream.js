#!/usr/bin/env node
// The `llmstream` command. A committed file rather than dist/cli/main.js itself: npm links a
// workspace's bins during `npm ci`, before `prepare` builds dist/, and skips a bin whose file is
// missing, so `npx llmstream` in a fresh checkout would find nothing.
import "../dist/cli/main.js";
