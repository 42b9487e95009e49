/** `explain` of a rule id shows the detector's own docs next to the YAML validation. */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExplainResult } from '../../src/skills/explain.js';
import { detectors } from '../../src/lint/detectors/index.js';
import { cleanEnv, cliPath, requireBuild } from '../server/built-server.js';

function explainJson(id: string) {
  const run = spawnSync(process.execPath, [cliPath, 'explain', id, '--json'], { env: cleanEnv(), encoding: 'utf8', timeout: 30_000 });
  expect(run.status, run.stderr).toBe(0);
  return ExplainResult.parse(JSON.parse(run.stdout));
}

beforeAll(requireBuild);

describe('explain RULE-ID', () => {
  it('every registered detector is explained with its sharp edge, fix and detector docs', () => {
    for (const detector of detectors) {
      const result = explainJson(detector.id);
      expect(result.kind).toBe('validation');
      expect(result.sharpEdge?.['id'], detector.id).toBeTruthy();
      expect(String(result.content['fix'] ?? ''), detector.id).not.toBe('');
      expect(result.detector?.id).toBe(detector.id);
      expect(Object.keys(result.detector?.example ?? {}).length, detector.id).toBeGreaterThan(0);
      expect(result.detector?.whenNotToUse, detector.id).toBeTruthy();
    }
  });

  it('a regex validation has no detector block', () => {
    const regexValidation = explainJson('select-star-in-query');
    expect(regexValidation.content['kind']).toBe('regex');
    expect(regexValidation.detector).toBeUndefined();
  });

  it('the text output shows what the detector flags and leaves alone', () => {
    const run = spawnSync(process.execPath, [cliPath, 'explain', 'sync-io-in-async'], { env: cleanEnv(), encoding: 'utf8' });
    expect(run.stdout).toMatch(/^## Detector `sync-io-in-async` \(/m);
    expect(run.stdout).toMatch(/^### Leaves alone$/m);
    expect(run.stdout).toMatch(/^### Flagged \(typescript\)$/m);
    expect(run.stdout).toMatch(/^### Instead \(python\)$/m);
  });
});
