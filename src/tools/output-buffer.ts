/** Which pipe a chunk came from. */
export type OutputStream = 'stdout' | 'stderr';

/**
 * Keeps the first `limit` bytes of a command's stdout and stderr together and discards the rest,
 * so memory stays bounded however much the command prints; `received` counts everything seen.
 */
export class OutputBuffer {
  /** Bytes seen on both pipes, kept or not. */
  received = 0;
  /** Whether any byte was discarded. */
  truncated = false;
  private kept = 0;
  private readonly chunks: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };

  constructor(private readonly limit: number) {}

  /** Records `chunk` from `stream`, keeping only what fits under the limit. */
  push(stream: OutputStream, chunk: Buffer): void {
    this.received += chunk.length;
    const room = this.limit - this.kept;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    // A copy of the part kept, so the pipe's (possibly large) chunk is not retained.
    const part = chunk.length > room ? Buffer.from(chunk.subarray(0, room)) : chunk;
    this.chunks[stream].push(part);
    this.kept += part.length;
  }

  /** What `stream` printed, as UTF-8 (a character cut at the limit decodes as U+FFFD). */
  text(stream: OutputStream): string {
    return Buffer.concat(this.chunks[stream]).toString('utf8');
  }
}
