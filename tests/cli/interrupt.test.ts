import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { trapInterrupt } from '../../src/cli/interrupt.ts';

function fakeProcess() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const exit = (code: number): never => {
    exits.push(code);
    return undefined as never;
  };
  return { signals, exits, io: { signals, exit } };
}

describe('trapInterrupt', () => {
  it('aborts the run on the first SIGINT instead of ending the process', () => {
    const { signals, exits, io } = fakeProcess();
    const controller = new AbortController();
    const notices: string[] = [];
    const trap = trapInterrupt(io, controller, () => notices.push('interrupted'));
    expect(trap.interrupted).toBe(false);
    signals.emit('SIGINT');
    expect(controller.signal.aborted).toBe(true);
    expect(trap.interrupted).toBe(true);
    expect(notices).toEqual(['interrupted']);
    expect(exits).toEqual([]);
  });

  it('exits 130 at once on a second SIGINT', () => {
    const { signals, exits, io } = fakeProcess();
    trapInterrupt(io, new AbortController());
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    expect(exits).toEqual([130]);
  });

  it('removes its handler on dispose', () => {
    const { signals, io } = fakeProcess();
    const controller = new AbortController();
    const trap = trapInterrupt(io, controller);
    expect(signals.listenerCount('SIGINT')).toBe(1);
    trap.dispose();
    expect(signals.listenerCount('SIGINT')).toBe(0);
    signals.emit('SIGINT');
    expect(controller.signal.aborted).toBe(false);
  });
});
