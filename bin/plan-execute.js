#!/usr/bin/env node
// The `plan-execute` command: runs the TypeScript CLI (src/cli.ts) through tsx's loader, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
