import { createInterface, type Interface } from 'node:readline';

/**
 * Reads answers one line at a time from a stream that may hold several already (a pipe): lines
 * are queued, so none is lost between two questions. `null` means the input ended.
 */
export class LineReader {
  private readonly lines: string[] = [];
  private readonly waiting: Array<(line: string | null) => void> = [];
  private ended = false;
  private readonly readline: Interface;

  constructor(input: NodeJS.ReadableStream) {
    this.readline = createInterface({ input, terminal: false });
    this.readline.on('line', (line) => {
      const resolve = this.waiting.shift();
      if (resolve) resolve(line);
      else this.lines.push(line);
    });
    this.readline.on('close', () => {
      this.ended = true;
      for (const resolve of this.waiting.splice(0)) resolve(null);
    });
  }

  /** The next line, or null once the input has ended (or the reader was closed). */
  next(): Promise<string | null> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Stops reading, so that a child process (the editor) has the terminal to itself. */
  pause(): void {
    this.readline.pause();
  }

  /** Reads again after `pause()`. */
  resume(): void {
    this.readline.resume();
  }

  /** Stops reading for good; pending and later `next()` calls get null. */
  close(): void {
    this.readline.close();
  }
}
