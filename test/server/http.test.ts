/** The built server over Streamable HTTP: the SDK Client end to end, then the DNS-rebinding and token checks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ListSkillsResult } from '../../src/skills/catalog.js';
import { ExplainResult } from '../../src/skills/explain.js';
import { extraSkillsDir, startHttpServer, type HttpServerProcess } from './built-server.js';
import { rawPost, type RawAnswer } from '../support/net.js';

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-http-test', version: '1.0.0' } },
});

/** A raw POST with exactly the headers given; an initialize request unless told otherwise. */
const post = (url: string, headers: Record<string, string>, body = INITIALIZE): Promise<RawAnswer> => rawPost(url, headers, body);

async function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

describe('perf-hunter serve --http', () => {
  let server: HttpServerProcess;
  beforeAll(async () => {
    server = await startHttpServer(['--skills-dir', extraSkillsDir, '--allowed-origin', 'https://tools.example.com']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('binds loopback on the port it chose and prints the URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('serves resources, the prompt and both tools to the SDK client', async () => {
    const client = await connect(server.url);
    try {
      const { resources } = await client.listResources();
      expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(['skill://performance-hunter', 'skill://db-tuner']));
      const edge = await client.readResource({ uri: 'skill://db-tuner/sharp-edges/n-plus-one-queries' });
      expect((edge.contents[0] as { text: string }).text).toContain('ORM lazy loading fires one query per row');

      const prompt = await client.getPrompt({ name: 'performance-review', arguments: { target: 'checkout', goal: 'p99 < 300 ms' } });
      expect((prompt.messages[0]?.content as { text: string }).text).toContain('Goal: p99 < 300 ms');

      const listed = ListSkillsResult.parse((await client.callTool({ name: 'list_skills', arguments: { query: 'db tuner' } })).structuredContent);
      expect(listed.skills.map((s) => s.id)).toEqual(['db-tuner']);

      const explained = await client.callTool({ name: 'explain', arguments: { id: 'performance-hunter' } });
      expect(ExplainResult.parse(explained.structuredContent).kind).toBe('skill');

      const bad = await client.callTool({ name: 'explain', arguments: { id: '' } });
      expect(bad.isError).toBe(true);
      expect((bad.content as Array<{ text: string }>)[0]?.text).toContain('id is empty');
      expect((await client.callTool({ name: 'list_skills', arguments: {} })).isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('keeps sessions apart: two clients at once', async () => {
    const [a, b] = await Promise.all([connect(server.url), connect(server.url)]);
    try {
      const [ra, rb] = await Promise.all([
        a.callTool({ name: 'explain', arguments: { id: 'db-tuner' } }),
        b.callTool({ name: 'explain', arguments: { id: 'performance-hunter' } }),
      ]);
      expect((ra.structuredContent as { id: string }).id).toBe('db-tuner');
      expect((rb.structuredContent as { id: string }).id).toBe('performance-hunter');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('accepts a loopback Origin and an allowed one', async () => {
    expect((await post(server.url, { Origin: `http://localhost:6274` })).status).toBe(200);
    expect((await post(server.url, { Origin: 'https://tools.example.com' })).status).toBe(200);
  });

  it('refuses a foreign Origin with 403 (DNS rebinding)', async () => {
    const answer = await post(server.url, { Origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error.message).toContain('Origin "https://evil.example" is not allowed');
    expect((await post(server.url, { Origin: 'null' })).status).toBe(403);
  });

  it('refuses a Host that is not this loopback port with 403', async () => {
    expect((await post(server.url, { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await post(server.url, { Host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await post(server.url, { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('answers unknown paths, unknown sessions and bad JSON without crashing', async () => {
    expect((await post(server.url.replace('/mcp', '/other'), {})).status).toBe(404);
    expect((await post(server.url, { 'Mcp-Session-Id': 'no-such-session' })).status).toBe(404);
    expect((await post(server.url, {}, '{not json')).status).toBe(400);
    expect((await post(server.url, {}, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }))).status).toBe(400);
    expect((await post(server.url, {})).status).toBe(200);
  });
});

describe('perf-hunter serve --http with PERF_HUNTER_TOKEN', () => {
  const token = 'test-token-1234';
  let server: HttpServerProcess;
  beforeAll(async () => {
    server = await startHttpServer([], { PERF_HUNTER_TOKEN: token });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses a missing or wrong bearer token with 401', async () => {
    const missing = await post(server.url, {});
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect((await post(server.url, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(server.url, { Authorization: `Basic ${token}` })).status).toBe(401);
  });

  it('checks Origin before the token: a foreign page gets 403 even with the token', async () => {
    expect((await post(server.url, { Origin: 'https://evil.example', Authorization: `Bearer ${token}` })).status).toBe(403);
  });

  it('serves a client that sends the token', async () => {
    const client = await connect(server.url, { Authorization: `Bearer ${token}` });
    try {
      const result = await client.callTool({ name: 'explain', arguments: { id: 'n-plus-one-queries' } });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
});
