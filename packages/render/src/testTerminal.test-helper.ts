import xterm from "@xterm/headless";

/** A real terminal emulator (xterm.js, headless) to read the final screen from. */
export interface TestTerminal {
  write(data: string): void;
  /** Waits until everything written has been processed. */
  settle(): Promise<void>;
  /** Resizes after processing what was written, as a terminal window does. */
  resize(columns: number): Promise<void>;
  readonly columns: number;
  /** Every line, scrollback included, without trailing spaces or trailing empty lines. */
  screen(): Promise<string[]>;
}

export function createTestTerminal(columns: number, rows = 200): TestTerminal {
  // convertEol: a real tty's ONLCR turns "\n" into "\r\n"; headless xterm has no tty driver.
  const terminal = new xterm.Terminal({
    cols: columns,
    rows,
    scrollback: 5000,
    convertEol: true,
    allowProposedApi: true,
  });
  const settle = () => new Promise<void>((resolve) => terminal.write("", resolve));
  return {
    write: (data) => terminal.write(data),
    settle,
    async resize(next) {
      await settle();
      terminal.resize(next, rows);
      await settle();
    },
    get columns() {
      return terminal.cols;
    },
    async screen() {
      await settle();
      const buffer = terminal.buffer.active;
      const lines: string[] = [];
      for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? "");
      while (lines.length > 0 && lines.at(-1) === "") lines.pop();
      return lines;
    },
  };
}
