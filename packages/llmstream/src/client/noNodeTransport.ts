import type { Transport } from "../types/Transport.js";

/**
 * What `#nodeTransport` resolves to outside Node (browsers, workers, edge bundles), so that a bundler
 * never pulls `node:http` in. `streamChat` only asks for the node transport when it runs in Node, so
 * this is never called by it; if someone passes it by hand, it says why it cannot work.
 */
export const nodeTransport: Transport = () =>
  Promise.reject(
    new Error("The node:http transport exists only in Node: pass createFetchTransport() instead"),
  );
