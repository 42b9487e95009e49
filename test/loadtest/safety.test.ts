/** Safety: only allow-listed hosts get load (checked before any packet), and cancellation stops it at once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTarget, type Lookup } from '../../src/loadtest/allow.js';
import { runLoadTest } from '../../src/loadtest/run.js';
import { LoadTestCancelledError, LoadTestError } from '../../src/loadtest/schema.js';
import { startServer, type FakeServer } from './helpers.js';

let fast: FakeServer;
beforeAll(async () => {
  fast = await startServer('fast');
});
afterAll(() => fast?.stop());

/** A resolver we control: names resolve where the test says, and every question is recorded. */
function resolver(table: Record<string, string[]>): Lookup & { asked: string[] } {
  const asked: string[] = [];
  const lookup = async (host: string): Promise<Array<{ address: string; family: number }>> => {
    asked.push(host);
    const addresses = table[host];
    if (!addresses) throw new Error(`ENOTFOUND ${host}`);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { asked });
}

describe('allow-list', () => {
  it('refuses a non-loopback IP literal without resolving or connecting', async () => {
    const lookup = resolver({});
    await expect(runLoadTest({ url: 'http://10.1.2.3:8080/', durationSeconds: 1 }, { lookup, env: {} })).rejects.toThrow(LoadTestError);
    await expect(runLoadTest({ url: 'http://10.1.2.3:8080/', durationSeconds: 1 }, { lookup, env: {} })).rejects.toThrow(/refused target "10\.1\.2\.3"/);
    expect(lookup.asked).toEqual([]);
  });

  it('refuses a name that resolves elsewhere, or partly elsewhere, and sends no packet', async () => {
    const lookup = resolver({ 'evil.test': ['203.0.113.7'], 'mixed.test': ['127.0.0.1', '203.0.113.7'] });
    const before = await fast.requests();
    await expect(runLoadTest({ url: `http://evil.test:${fast.port}/`, durationSeconds: 1 }, { lookup, env: {} })).rejects.toThrow(/resolves to 203\.0\.113\.7/);
    await expect(runLoadTest({ url: `http://mixed.test:${fast.port}/`, durationSeconds: 1 }, { lookup, env: {} })).rejects.toThrow(/refused target "mixed\.test"/);
    // A baseline URL is checked before the first packet too.
    await expect(runLoadTest({ url: fast.url, baseline: { url: `http://evil.test:${fast.port}/` }, durationSeconds: 1 }, { lookup, env: {} })).rejects.toThrow(
      /refused target "evil\.test"/,
    );
    expect(await fast.requests()).toBe(before);
  });

  it('loads a name that resolves to loopback, at the address it was checked at', async () => {
    const lookup = resolver({ 'mine.test': ['127.0.0.1'] });
    const before = await fast.requests();
    const report = await runLoadTest({ url: `http://mine.test:${fast.port}/`, amount: 20, connections: 2 }, { lookup, env: {} });
    expect(report.requests.total).toBe(20);
    expect(await fast.requests()).toBe(before + 20);
    expect(lookup.asked).toEqual(['mine.test']);
  });

  it('allows more hosts by name, IP or CIDR, from the input or PERF_HUNTER_ALLOW_HOSTS', async () => {
    const lookup = resolver({ 'lab.test': ['203.0.113.7'], 'box.test': ['198.51.100.9'] });
    await expect(checkTarget('http://lab.test/', { lookup, env: {}, allowHosts: ['203.0.113.0/24'] })).resolves.toMatchObject({ address: '203.0.113.7' });
    const checked = await checkTarget('http://lab.test:81/x', { lookup, env: { PERF_HUNTER_ALLOW_HOSTS: 'lab.test' } });
    expect(checked.connectUrl.toString()).toBe('http://203.0.113.7:81/x');
    expect(checked.hostHeader).toBe('lab.test:81');
    await expect(checkTarget('http://198.51.100.9/', { lookup, env: { PERF_HUNTER_ALLOW_HOSTS: '198.51.100.9, other' } })).resolves.toBeDefined();
    await expect(checkTarget('http://box.test/', { lookup, env: {}, allowHosts: ['203.0.113.0/24'] })).rejects.toThrow(/refused/);
    await expect(checkTarget('http://[::1]:9/', { lookup, env: {} })).resolves.toMatchObject({ address: '::1' });
    await expect(checkTarget('http://x/', { lookup, env: {}, allowHosts: ['10.0.0.0/99'] })).rejects.toThrow(/not a valid CIDR/);
    await expect(checkTarget('http://nowhere.test/', { lookup, env: {} })).rejects.toThrow(/cannot resolve "nowhere\.test"/);
  });
});

describe('cancellation', () => {
  for (const model of ['closed', 'open'] as const) {
    it(`${model} model: aborting stops the load at once and throws`, async () => {
      const controller = new AbortController();
      const run = runLoadTest({ url: fast.url, durationSeconds: 30, connections: 2, ...(model === 'open' ? { rate: 200 } : {}) }, { signal: controller.signal });
      await new Promise((r) => setTimeout(r, 1000));
      const aborted = Date.now();
      controller.abort();
      await expect(run).rejects.toThrow(LoadTestCancelledError);
      expect(Date.now() - aborted).toBeLessThan(500);
      await new Promise((r) => setTimeout(r, 200));
      const settled = await fast.requests();
      await new Promise((r) => setTimeout(r, 600));
      expect(await fast.requests()).toBe(settled);
    }, 20_000);
  }
});
