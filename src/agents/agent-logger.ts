import type { Agent } from '@mastra/core/agent';
import { noopLogger, type IMastraLogger } from '@mastra/core/logger';

/**
 * A logger for a role agent that sends every Mastra log line to `target.debug`. Mastra logs each
 * failed model call at error level with the whole request (about 60 lines on the terminal per
 * call); the run already reports the failure once, classified, so those lines are kept for
 * debugging only. Error objects are reduced to their name and message: their request body holds
 * prompts and data that a log must not carry.
 */
export function demotingLogger(target: IMastraLogger = noopLogger): IMastraLogger {
  // No target: every line is dropped, so drop it before copying its arguments (Mastra logs on every call; issue 11).
  if (target === noopLogger) return noopLogger;
  const toDebug = (message: string, ...args: unknown[]) => target.debug(message, ...args.map(withoutRequestBodies));
  return { ...noopLogger, debug: toDebug, info: toDebug, warn: toDebug, error: toDebug };
}

/** Gives `agent` the demoting logger (see demotingLogger); returns the agent. */
export function quietAgent(agent: Agent, target?: IMastraLogger): Agent {
  agent.__setLogger(demotingLogger(target));
  return agent;
}

/** A log argument with every Error (also one level inside an object) replaced by its name and message. */
function withoutRequestBodies(argument: unknown): unknown {
  if (argument instanceof Error) return `${argument.name}: ${argument.message}`;
  if (typeof argument !== 'object' || argument === null || Array.isArray(argument)) return argument;
  return Object.fromEntries(Object.entries(argument).map(([key, value]) => [key, value instanceof Error ? `${value.name}: ${value.message}` : value]));
}
