/**
 * Load tests aimed elsewhere: refused before any traffic unless allow-listed, through the MCP tool
 * as through the engine; odd spellings of addresses; redirects to another host are not followed
 * (by either load model); HTTPS connects to the address that was checked, not to a re-resolved name.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { checkTarget, type Lookup } from '../../src/loadtest/allow.js';
import { runLoadTest } from '../../src/loadtest/run.js';
import { createServer } from '../../src/server/create-server.js';
import { SkillCatalog } from '../../src/skills/catalog.js';

interface Counting {
  url: string;
  count: () => number;
  close: () => Promise<void>;
}

/** A loopback server that counts requests and answers each with `answer`. */
async function countingServer(answer: (res: http.ServerResponse) => void): Promise<Counting> {
  let count = 0;
  const server = http.createServer((_req, res) => {
    count++;
    answer(res);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    count: () => count,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const noLookup: Lookup = async (host) => {
  throw new Error(`the test resolver was asked about ${host}`);
};

describe('the load_test tool refuses foreign targets before sending anything', () => {
  let client: Client;
  beforeAll(async () => {
    const server = createServer({ catalog: async () => new SkillCatalog([], []), log: () => {} });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: 'targets', version: '1' });
    await client.connect(clientSide);
  });
  afterAll(async () => client?.close());

  it.each([
    'http://203.0.113.7/',
    'http://0.0.0.0:1/',
    'http://[::ffff:203.0.113.7]/',
    'http://[fe80::1]/',
    'https://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
  ])('%s is refused with a clear error', async (url) => {
    const started = Date.now();
    const result = await client.callTool({ name: 'load_test', arguments: { url, durationSeconds: 1 } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/refused target|allow/);
    // Refused up front: no connect attempt to wait out.
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('address spellings', () => {
  it('accepts loopback however it is spelled, and nothing that only looks like it', async () => {
    for (const url of ['http://127.1:9/', 'http://2130706433:9/', 'http://0x7f.0.0.1:9/', 'http://[::1]:9/', 'http://127.255.255.254:9/']) {
      await expect(checkTarget(url, { lookup: noLookup, env: {} }), url).resolves.toBeDefined();
    }
    const lookup: Lookup = async (host) => {
      if (host === 'localhost.evil.test' || host === '127.0.0.1.evil.test') return [{ address: '203.0.113.9', family: 4 }];
      throw new Error('ENOTFOUND');
    };
    for (const url of ['http://localhost.evil.test/', 'http://127.0.0.1.evil.test/']) {
      await expect(checkTarget(url, { lookup, env: {} }), url).rejects.toThrow(/refused target/);
    }
  });
});

describe('redirects', () => {
  let foreign: Counting;
  let redirecting: Counting;
  beforeAll(async () => {
    // "Foreign" is another loopback port here: what matters is that no request reaches it at all.
    foreign = await countingServer((res) => res.end('foreign'));
    redirecting = await countingServer((res) => {
      res.writeHead(302, { Location: foreign.url });
      res.end();
    });
  });
  afterAll(async () => {
    await foreign?.close();
    await redirecting?.close();
  });

  it.each([
    ['closed', {}],
    ['open', { rate: 200 }],
  ] as const)('the %s model does not follow a redirect to another host', async (_model, extra) => {
    const report = await runLoadTest({ url: redirecting.url, amount: 50, connections: 2, ...extra }, { env: {} });
    expect(redirecting.count()).toBeGreaterThanOrEqual(50);
    expect(foreign.count()).toBe(0);
    expect(JSON.stringify(report)).toMatch(/"3xx"|"302"/);
  });
});

describe('HTTPS', () => {
  it('connects to the checked address and keeps the name only for TLS', async () => {
    const lookup: Lookup = async () => [{ address: '127.0.0.1', family: 4 }];
    const checked = await checkTarget('https://api.mine.test:8443/x', { lookup, env: {} });
    expect(checked.connectUrl.toString()).toBe('https://127.0.0.1:8443/x');
    expect(checked.servername).toBe('api.mine.test');
    expect(checked.hostHeader).toBe('api.mine.test:8443');
    const literal = await checkTarget('https://127.0.0.1:8443/', { lookup: noLookup, env: {} });
    expect(literal.servername).toBeUndefined();
  });
});
