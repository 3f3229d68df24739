import { EXIT } from './exit-codes.ts';
import type { CliIo } from './io.ts';

/** What `trapInterrupt` returns. */
export interface InterruptTrap {
  /** Whether Ctrl-C was pressed. */
  readonly interrupted: boolean;
  /** Removes the SIGINT handler. */
  dispose(): void;
}

/**
 * Ctrl-C cancels the run instead of killing the process: the first SIGINT aborts `controller`
 * (the run then resolves `cancelled` with its partial results, which the command prints before
 * exiting 130); a second one exits 130 at once.
 */
export function trapInterrupt(io: Pick<CliIo, 'signals' | 'exit'>, controller: AbortController, onInterrupt: () => void = () => {}): InterruptTrap {
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) io.exit(EXIT.interrupted);
    interrupted = true;
    onInterrupt();
    controller.abort(new Error('Interrupted (SIGINT)'));
  };
  io.signals.on('SIGINT', onSigint);
  return {
    get interrupted() {
      return interrupted;
    },
    dispose: () => void io.signals.off('SIGINT', onSigint),
  };
}
