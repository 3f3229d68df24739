import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // The package's own name resolves to its sources in tests, as tsconfig.json's `paths` do for tsc and tsx
    // (package.json's `exports` point at dist/, which only `npm run build` creates).
    alias: [
      { find: /^mastra-plan-execute$/, replacement: source('./src/index.ts') },
      { find: /^mastra-plan-execute\/(testing|fleet)$/, replacement: source('./src/$1/index.ts') },
      {
        find: /^mastra-plan-execute\/examples\/(release-checklist|adoption-report|python-scaffold)$/,
        replacement: source('./src/examples/$1/index.ts'),
      },
    ],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    // Gives the run a private temp directory and fails it when tests leave plan-execute-* entries behind.
    globalSetup: ['tests/helpers/temp-dir-guard.ts'],
    testTimeout: 20_000,
    // Vitest's default is one worker fewer than the CPUs: a single file at a time on a 2-core CI
    // machine, although most slow files wait on child processes, servers and databases, not the CPU.
    maxWorkers: 2,
  },
});
