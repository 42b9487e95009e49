import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runProfile } from '../../src/profile/run.js';
import { ProfileCancelledError } from '../../src/profile/schema.js';
import { fixtures, tempDir } from './helpers.js';

/** Live (non-zombie) processes whose command line names the fixture. */
function processesRunning(fragment: string): string[] {
  const table = execFileSync('ps', ['-eo', 'pid,pgid,stat,args'], { encoding: 'utf8' });
  return table.split('\n').filter((line) => line.includes(fragment) && !/^\s*\d+\s+\d+\s+Z/.test(line));
}

describe('profile: cancel', () => {
  it('kills the whole target tree (parent and Node child), leaves no process and writes nothing', async () => {
    const parent = tempDir();
    const out = path.join(parent, 'out');
    const controller = new AbortController();
    const run = runProfile({ command: process.execPath, args: ['forever.js', 'engine-cancel'], cwd: fixtures, durationSeconds: 120 }, { cwd: fixtures, outDir: out, signal: controller.signal });
    // Wait until both the target and its child are up.
    for (let i = 0; i < 100 && processesRunning('forever.js engine-cancel').length < 2; i++) await sleep(100);
    expect(processesRunning('forever.js engine-cancel').length).toBeGreaterThanOrEqual(2);
    const started = Date.now();
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(ProfileCancelledError);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(processesRunning('forever.js engine-cancel')).toEqual([]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
  });
});
