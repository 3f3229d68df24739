import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Gives the run a private temp directory and fails it when tests leave plan-execute-* entries behind.
    globalSetup: ['tests/helpers/temp-dir-guard.ts'],
    testTimeout: 20_000,
  },
});
