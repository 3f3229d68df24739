// The part of `npm run build` that tsc does not do, run after `tsc -p tsconfig.build.json` has emitted dist/.
import { chmodSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

// Data files (the adoption report's corpus) are read at run time next to the module that reads them
// (`new URL('./corpus/', import.meta.url)`), so every file tsc does not compile goes to the same place in dist/.
cpSync(source, dist, { recursive: true, filter: (path) => !path.endsWith('.ts') });

// The `plan-execute` bin runs dist/cli.js directly; src/cli.ts has no shebang since tsx runs it in the repository.
const cli = `${dist}cli.js`;
const SHEBANG = '#!/usr/bin/env node\n';
const code = readFileSync(cli, 'utf8');
if (!code.startsWith(SHEBANG)) writeFileSync(cli, SHEBANG + code);
chmodSync(cli, 0o755);
