// npm links `bin` entries as they are; the CLI must be executable for `npx perf-hunter` and plugin launches.
import { chmodSync, existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
