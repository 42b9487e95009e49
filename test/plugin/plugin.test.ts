/**
 * The repository is a Claude Code plugin: Claude Code's own validator (devDependency, offline, in
 * a throwaway HOME) accepts it in strict mode, and the manifest stays in step with package.json.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeBin, offlineEnv, repoRoot, runAny } from './helpers.js';

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(repoRoot, file), 'utf8')) as Record<string, unknown>;

describe('the Claude Code plugin', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-plugin-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('claude plugin validate . --strict passes', async () => {
    const result = await runAny(claudeBin, ['plugin', 'validate', '.', '--strict'], { cwd: repoRoot, env: offlineEnv(home) });
    expect(result.out).toMatch(/Validation passed/);
    expect(result.code).toBe(0);
  });

  it('the validator is real: a manifest with a bad name is refused', async () => {
    const copy = path.join(home, 'broken-plugin');
    cpSync(path.join(repoRoot, '.claude-plugin'), path.join(copy, '.claude-plugin'), { recursive: true });
    writeFileSync(path.join(copy, '.claude-plugin/plugin.json'), JSON.stringify({ ...readJson('.claude-plugin/plugin.json'), name: 'Perf Hunter!' }));
    const result = await runAny(claudeBin, ['plugin', 'validate', '.', '--strict'], { cwd: copy, env: offlineEnv(home) });
    expect(result.code).not.toBe(0);
  });

  it('plugin.json has the package version and starts the server and hook through ${CLAUDE_PLUGIN_ROOT}', () => {
    const plugin = readJson('.claude-plugin/plugin.json');
    const pkg = readJson('package.json');
    expect(plugin.name).toBe('perf-hunter');
    expect(plugin.version).toBe(pkg.version);
    expect(plugin.license).toBe(pkg.license);
    expect(plugin).toHaveProperty('description');
    expect(plugin).toHaveProperty('author');
    expect(plugin).toHaveProperty('keywords');
    expect(plugin.mcpServers).toEqual({ 'perf-hunter': { command: 'node', args: ['${CLAUDE_PLUGIN_ROOT}/dist/cli/main.js', 'serve'] } });

    const hooks = readJson('hooks/hooks.json') as { hooks: { PostToolUse: Array<{ matcher: string; hooks: Array<{ command: string }> }> } };
    const [entry] = hooks.hooks.PostToolUse;
    expect(entry?.matcher).toBe('Write|Edit|MultiEdit');
    expect(entry?.hooks[0]?.command).toBe('node "${CLAUDE_PLUGIN_ROOT}/dist/cli/main.js" hook post-edit');
    expect(pkg.files).toEqual(expect.arrayContaining(['.claude-plugin', 'hooks', 'skills', 'dist']));
  });
});
