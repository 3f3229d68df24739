/** A stream the CLI writes to; `isTTY` and `columns` are set when it is a terminal. */
export interface OutputStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  /** The file descriptor, when the stream has one (a child process can inherit it). */
  readonly fd?: number;
}

/** Where a signal handler is registered: `process`, or a fake in tests. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/** Everything the CLI touches outside itself, so that tests can inject each part. */
export interface CliIo {
  /** Results and progress. */
  readonly stdout: OutputStream;
  /** Errors and usage messages. */
  readonly stderr: OutputStream;
  /** Answers to the approval prompt. */
  readonly stdin: NodeJS.ReadableStream;
  /** The environment: model variables, EDITOR, NO_COLOR. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working directory, where `.env` is looked for. */
  readonly cwd: string;
  /** Where Ctrl-C arrives. */
  readonly signals: SignalSource;
  /** Ends the process at once with `code` (a second Ctrl-C). */
  readonly exit: (code: number) => never;
}

/** The real process's streams, environment and signals. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signals: process,
    exit: (code) => process.exit(code),
  };
}

/** Writes `text` and a newline. */
export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}
