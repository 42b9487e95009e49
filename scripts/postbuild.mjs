// npm links `bin` entries as they are; the CLI must be executable for `npx perf-hunter` and plugin launches.
import { chmodSync, existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);

// The profiler's non-TypeScript parts (the Node preload, the pstats converter) sit beside its modules.
import { copyFileSync, mkdirSync } from 'node:fs';
mkdirSync(new URL('../dist/profile/', import.meta.url), { recursive: true });
for (const file of ['preload.cjs', 'pstats-to-json.py']) {
  const from = new URL(`../src/profile/${file}`, import.meta.url);
  if (existsSync(from)) copyFileSync(from, new URL(`../dist/profile/${file}`, import.meta.url));
}
