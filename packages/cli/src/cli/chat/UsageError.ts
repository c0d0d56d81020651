/**
 * A mistake in how the CLI was called (a bad option value, no prompt). The CLI prints its message on
 * one stderr line and exits with code 2; it never reaches the network.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
