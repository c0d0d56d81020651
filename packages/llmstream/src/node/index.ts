/**
 * `llmstream/node`: the parts that only run in Node. The root entry already picks the `node:http`
 * transport by itself in Node; import it from here to pass it explicitly, or to share its agent.
 * `ensureDirectory` is what the engine and the log use to create their folders with messages that
 * say what to do; it lives here so both packages share one copy.
 */
export { nodeTransport } from "../client/nodeTransport.js";
export { ensureDirectory } from "../utils/ensureDirectory.js";
