// Runs the project's mock server in its own process, so it does not share a core's time with the
// client being measured. Prints the URL on stdout, then serves until killed.
import { createMockServer } from "@llmstream/mock";

const server = await createMockServer({ port: 0 });
process.stdout.write(`${server.url}\n`);
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
