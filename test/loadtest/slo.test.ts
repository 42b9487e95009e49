/** SLO parsing and checking: string and object forms, units, each violation spelled out, clear errors. */
import { describe, expect, it } from 'vitest';
import { LoadTestError } from '../../src/loadtest/schema.js';
import { checkSlo, parseSlo } from '../../src/loadtest/slo.js';

const latency = { p50: 40, p90: 80, 'p97.5': 120, p99: 250, 'p99.9': 400, max: 900, mean: 50, count: 1000 };

describe('parseSlo', () => {
  it('reads the string form with units and operators', () => {
    expect(parseSlo('p99=200ms,p50=50ms,errors=0.1%,rps>=500')).toEqual({ latencyMs: { p99: 200, p50: 50 }, errorRate: 0.001, minRps: 500 });
    expect(parseSlo('p99.9<1.5s, p97.5<=800us, max=2s')).toEqual({ latencyMs: { 'p99.9': 1500, 'p97.5': 0.8, max: 2000 } });
    expect(parseSlo('errors=0.002')).toEqual({ latencyMs: {}, errorRate: 0.002 });
  });

  it('reads the same as an object', () => {
    expect(parseSlo({ p99: '200ms', p50: 50, errors: '0.1%', rps: 500 })).toEqual(parseSlo('p99=200ms,p50=50ms,errors=0.1%,rps>=500'));
  });

  it('refuses what it cannot read, naming the part', () => {
    expect(() => parseSlo('p99=fast')).toThrow(LoadTestError);
    expect(() => parseSlo('p99=fast')).toThrow(/p99.*"fast" is not a duration/);
    expect(() => parseSlo('p42=1ms')).toThrow(/unknown figure "p42"/);
    expect(() => parseSlo('rps<5')).toThrow(/wrong way/);
    expect(() => parseSlo('p99>5ms')).toThrow(/wrong way/);
    expect(() => parseSlo('nonsense')).toThrow(/cannot read "nonsense"/);
    expect(() => parseSlo('')).toThrow(/empty/);
  });
});

describe('checkSlo', () => {
  it('passes when every objective is met', () => {
    const verdict = checkSlo(parseSlo('p99=300ms,p50=50ms,errors=1%,rps>=100'), { latencyMs: latency, errorRate: 0.005, rps: 120 });
    expect(verdict).toMatchObject({ pass: true, violations: [] });
    expect(verdict.objectives).toEqual(['p99 <= 300ms', 'p50 <= 50ms', 'errors <= 1%', 'rps >= 100']);
  });

  it('spells out each violation', () => {
    const verdict = checkSlo(parseSlo('p99=200ms,p50=50ms,errors=0.1%,rps>=500'), { latencyMs: latency, errorRate: 0.02, rps: 120 });
    expect(verdict.pass).toBe(false);
    expect(verdict.violations.map((v) => v.figure)).toEqual(['p99', 'errors', 'rps']);
    expect(verdict.violations.map((v) => v.message)).toEqual([
      'p99 latency 250ms exceeds 200ms',
      'error rate 2% exceeds 0.1%',
      'throughput 120.0 req/s is below 500',
    ]);
  });
});
