/** `perf-hunter handoff` through the built CLI (`npm run build` first; `npm test` does it). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { HandoffResult } from '../../src/handoff/schema.js';
import { cleanEnv, cliPath, repoRoot, requireBuild } from '../server/built-server.js';

const fixtures = path.join(repoRoot, 'test/fixtures/handoff');

function cli(args: string[], input?: string) {
  const run = spawnSync(process.execPath, [cliPath, 'handoff', ...args], { env: cleanEnv(), encoding: 'utf8', timeout: 30_000, ...(input !== undefined ? { input } : {}) });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(requireBuild);

describe('perf-hunter handoff', () => {
  it('prints a readable answer by default and exits 0', () => {
    const { code, stdout, stderr } = cli(['our vector search got really slow']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Hand off to vector-specialist \(parallel, confidence 0\.\d+\)/);
    expect(stdout).toMatch(/pass: +Index type and parameters/);
  });

  it('--json prints a HandoffResult; --skills-dir loads the specialists', () => {
    const { code, stdout } = cli(['kafka consumer lag keeps growing', '--json', '--skills-dir', fixtures]);
    expect(code).toBe(0);
    const result = HandoffResult.parse(JSON.parse(stdout));
    expect(result.handoffs[0]).toMatchObject({ skill: 'event-architect', loaded: true, name: 'Event Architect' });
  });

  it('--schema prints a JSON Schema that validates real answers and rejects a broken one', () => {
    const schema = JSON.parse(cli(['--schema']).stdout);
    const validate = new Ajv2020({ strict: false }).compile(schema);
    for (const text of ['neo4j traversal is slow', 'the app feels laggy', 'design a cypher data model', 'hello there']) {
      const answer = JSON.parse(cli([text, '--json']).stdout);
      expect(validate(answer), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate({ decision: 'maybe', from: 'x', handoffs: [], summary: '' })).toBe(false);
  });

  it('reads a runner\'s JSON from stdin when TEXT is -', () => {
    const input = JSON.stringify({
      text: 'the report endpoint is slow',
      findings: [{ ruleId: 'leading-wildcard-like', message: 'LIKE with a leading wildcard', handoff: { skill: 'postgres-wizard', reason: 'index choice' } }],
    });
    const { code, stdout } = cli(['-', '--json'], input);
    expect(code).toBe(0);
    expect(HandoffResult.parse(JSON.parse(stdout)).handoffs[0]).toMatchObject({ skill: 'postgres-wizard', sources: ['finding'] });
  });

  it('reads plain text from stdin too, and --findings takes a lint JSON report', () => {
    expect(JSON.parse(cli(['-', '--json'], 'TLS handshake takes 300ms\n').stdout).handoffs[0].skill).toBe('privacy-guardian');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'handoff-cli-'));
    const report = path.join(dir, 'lint.json');
    writeFileSync(report, JSON.stringify({ findings: [{ ruleId: 'slow-vector', message: 'pgvector query without an HNSW index' }] }));
    const { code, stdout } = cli(['this page', '--findings', report, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).handoffs[0].skill).toBe('vector-specialist');
  });

  it('nothing to hand off is still a valid answer: exit 0', () => {
    const { code, stdout } = cli(['fix the typo in the README', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).decision).toBe('none');
  });

  it.each([
    [[], /handoff needs the task text/],
    [['slow', '--limit', 'many'], /--limit must be a whole number from 1 to 20/],
    [['slow', '--findings', '/nonexistent/lint.json'], /--findings: cannot read \/nonexistent\/lint.json: ENOENT/],
    [['slow', '--from', 'nobody'], /skill "nobody" is not loaded/],
    [['   '], /nothing to judge/],
  ])('usage error %j: one line on stderr, exit 2', (args, message) => {
    const { code, stdout, stderr } = cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('bad JSON on stdin is a usage error', () => {
    const { code, stderr } = cli(['-'], '{"text": ');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^perf-hunter: stdin is not valid JSON/);
  });
});
