import { connect } from "node:net";

/** How long the probe waits for the server before assuming it is there (a slow server is not a missing one). */
export const probeTimeoutMs = 1000;

/**
 * True when nothing listens at the URL's host and port: the TCP connection was actively refused
 * (every address of the host refused it). Any other outcome (connected, timed out, DNS failure)
 * is `false`: only a plain "no server here" lets `chat` fall back to the embedded engine.
 */
export function isConnectionRefused(baseURL: string, options: { timeoutMs?: number } = {}): Promise<boolean> {
  const url = new URL(baseURL);
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (refused: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(refused);
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? probeTimeoutMs);
    socket.once("connect", () => finish(false));
    socket.once("error", (error: NodeJS.ErrnoException) => finish(error.code === "ECONNREFUSED"));
  });
}
