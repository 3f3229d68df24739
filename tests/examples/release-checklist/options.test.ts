import { Agent } from '@mastra/core/agent';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../../src/engine/errors.ts';
import { createReleaseAdapters, runRelease, type RunReleaseOptions } from '../../../src/examples/release-checklist/index.ts';

describe('runRelease arguments', () => {
  it.each([
    ['an empty version', '', 'staging', {}, 'Expected `version` to be a version such as "1.4.3", got "" (string)'],
    ['a version with spaces', '1.4.3; rm -rf', 'staging', {}, 'Expected `version` to be a version such as "1.4.3", got "1.4.3; rm -rf" (string)'],
    ['an unknown env', '1.4.2', 'prod', {}, 'Expected `env` to be "staging" or "production", got "prod" (string)'],
    ['no services', '1.4.2', 'staging', { services: [] }, 'Expected `services` to be a non-empty array of service names, got [] (object)'],
    [
      'a bad service name',
      '1.4.2',
      'staging',
      { services: ['web', 'Api Gateway'] },
      'Expected every service to be a name such as "web" (lowercase letters, digits, dashes), got "Api Gateway" (string)',
    ],
    ['a repeated service', '1.4.2', 'staging', { services: ['web', 'web'] }, 'Expected `services` to name each service once, got "web" twice'],
    ['concurrency 0', '1.4.2', 'staging', { concurrency: 0 }, 'Expected `concurrency` to be an integer from 1 and up, got 0 (number)'],
    [
      'a model instead of an Agent',
      '1.4.2',
      'staging',
      { agents: { planner: {}, executor: {} } },
      'Expected `agents.planner` to be a Mastra Agent, got {} (object)',
    ],
    ['hand-made adapters', '1.4.2', 'staging', { adapters: {} }, 'Expected `adapters` to come from createReleaseAdapters(), got {} (object)'],
  ])('throws InvalidOptionsError for %s', async (_case, version, env, options, message) => {
    const run = runRelease(version, env as 'staging', options as RunReleaseOptions);
    await expect(run).rejects.toThrow(InvalidOptionsError);
    await expect(run).rejects.toThrow(message);
  });

  it('checks everything before an adapter is called', async () => {
    const adapters = createReleaseAdapters();
    const agent = new Agent({ id: 'a', name: 'A', instructions: 'x', model: 'openai/gpt-4o-mini' });
    await expect(runRelease('1.4.2', 'staging', { adapters, concurrency: -1, agents: { planner: agent, executor: agent } })).rejects.toThrow(
      InvalidOptionsError,
    );
    expect(adapters.calls).toEqual([]);
  });
});
