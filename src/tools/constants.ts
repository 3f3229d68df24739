/** Every behaviour-changing default of the sandboxed tools, in one place. */
export const TOOL_DEFAULTS = Object.freeze({
  /** Bytes `read-file` returns at most; a longer file comes back cut, with `truncated: true`. 256 KiB. */
  maxReadBytes: 256 * 1024,
  /** Bytes `write-file` accepts at most; a longer content is refused. 1 MiB. */
  maxWriteBytes: 1024 * 1024,
  /** How deep `list-files` descends below the listed directory. */
  listDepth: 3,
  /** Entries `list-files` returns at most (a virtual environment alone holds thousands). */
  maxListEntries: 500,
  /** Time limit of one `run-command` call; the command and everything it started are killed when it passes. */
  commandTimeoutMs: 30_000,
  /** Bytes of stdout + stderr `run-command` keeps; the rest is discarded. 64 KiB. */
  maxOutputBytes: 64 * 1024,
  /**
   * A command is killed once it has printed this many times `maxOutputBytes` (at least 1 MiB):
   * its output would be discarded anyway, and a runaway printer should not burn the time limit.
   */
  outputKillFactor: 16,
  /** The smallest output, in bytes, after which a command can be killed for printing too much. */
  minOutputKillBytes: 1024 * 1024,
  /** LANG given to commands when the parent process has none. */
  lang: 'C.UTF-8',
});
