/**
 * The repository is a Claude Code plugin: Claude Code's own validator (devDependency, offline, in
 * a throwaway HOME) accepts it in strict mode, loads its skill, hook and MCP server, and the
 * manifest stays in step with package.json.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeBin, cliPath, offlineEnv, repoRoot, runAny } from './helpers.js';

function requireBuild(): void {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first (npm test does)`);
}

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(repoRoot, file), 'utf8')) as Record<string, unknown>;

describe('the Claude Code plugin', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-plugin-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  /** The plugin's own files in a fresh folder: with marketplace.json beside it, `validate .` checks only the marketplace. */
  function pluginCopy(name: string): string {
    const copy = path.join(home, name);
    mkdirSync(path.join(copy, 'skills'), { recursive: true });
    cpSync(path.join(repoRoot, '.claude-plugin/plugin.json'), path.join(copy, '.claude-plugin/plugin.json'));
    cpSync(path.join(repoRoot, 'hooks'), path.join(copy, 'hooks'), { recursive: true });
    cpSync(path.join(repoRoot, 'skills/performance-hunter'), path.join(copy, 'skills/performance-hunter'), { recursive: true });
    return copy;
  }

  it('claude plugin validate --strict passes for the repository (marketplace) and the plugin (manifest, hooks, skill)', async () => {
    const repo = await runAny(claudeBin, ['plugin', 'validate', '.', '--strict'], { cwd: repoRoot, env: offlineEnv(home) });
    expect(repo.out).toMatch(/marketplace manifest[\s\S]*Validation passed/);
    expect(repo.code).toBe(0);
    const plugin = await runAny(claudeBin, ['plugin', 'validate', '.', '--strict'], { cwd: pluginCopy('plugin'), env: offlineEnv(home) });
    expect(plugin.out).toMatch(/plugin manifest[\s\S]*Validation passed/);
    expect(plugin.code).toBe(0);
  });

  it('the validator is real: a bad name or a broken hooks.json is refused', async () => {
    const badName = pluginCopy('bad-name');
    writeFileSync(path.join(badName, '.claude-plugin/plugin.json'), JSON.stringify({ ...readJson('.claude-plugin/plugin.json'), name: 'Perf Hunter!' }));
    expect((await runAny(claudeBin, ['plugin', 'validate', '.', '--strict'], { cwd: badName, env: offlineEnv(home) })).code).not.toBe(0);
    const badHooks = pluginCopy('bad-hooks');
    writeFileSync(path.join(badHooks, 'hooks/hooks.json'), JSON.stringify({ hooks: { PostToolUse: 'lint' } }));
    expect((await runAny(claudeBin, ['plugin', 'validate', '.', '--strict'], { cwd: badHooks, env: offlineEnv(home) })).code).not.toBe(0);
  });

  it('loaded with --plugin-dir, Claude Code sees the skill and the hook, and its MCP server connects', async () => {
    requireBuild();
    const details = await runAny(claudeBin, ['--plugin-dir', repoRoot, 'plugin', 'details', 'perf-hunter'], { cwd: home, env: offlineEnv(home) });
    expect(details.out).toMatch(/Skills \(1\)\s+performance-hunter/);
    expect(details.out).toMatch(/Hooks \(1\)\s+PostToolUse/);
    const list = await runAny(claudeBin, ['--plugin-dir', repoRoot, 'mcp', 'list'], { cwd: home, env: offlineEnv(home) });
    expect(list.out).toMatch(/plugin:perf-hunter:perf-hunter: node \S+dist\/cli\/main\.js serve - ✔ Connected/);
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
    expect(entry?.hooks[0]?.command).toBe('node "${CLAUDE_PLUGIN_ROOT}/dist/hook/main.js" post-edit');
    expect(pkg.files).toEqual(expect.arrayContaining(['.claude-plugin', 'hooks', 'skills', 'dist']));
  });
});
