/**
 * Streamable HTTP security defaults on the BUILT server: loopback bind, foreign Host/Origin refused,
 * bearer token enforced when PERF_HUNTER_TOKEN is set, and sessions kept apart (one session's
 * answers and log messages never reach another; an ended or made-up session id is refused).
 */
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { extraSkillsDir, startHttpServer, type HttpServerProcess } from '../server/built-server.js';
import { rawPost, type RawAnswer } from '../support/net.js';

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

const post = (url: string, headers: Record<string, string>, body = INITIALIZE): Promise<RawAnswer> => rawPost(url, headers, body);

function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  return undefined;
}

describe('serve --http defaults', () => {
  let server: HttpServerProcess;
  beforeAll(async () => {
    server = await startHttpServer(['--skills-dir', extraSkillsDir]);
  });
  afterAll(async () => server?.stop());

  it('binds 127.0.0.1 only: the machine\'s other addresses get no answer', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    const other = nonLoopbackAddress();
    if (!other) return; // a machine with loopback only has nothing else to listen on
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: other, port: server.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it.each([
    [{ Host: 'evil.example:80' }, 403],
    [{ Host: 'localhost.evil.example' }, 403],
    [{ Origin: 'https://evil.example' }, 403],
    [{ Origin: 'null' }, 403],
    [{ Origin: 'http://localhost.evil.example' }, 403],
  ])('refuses %j with %i', async (headers, status) => {
    const answer = await post(server.url, headers);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
  });

  it('accepts a loopback Origin', async () => {
    const port = new URL(server.url).port;
    expect((await post(server.url, { Origin: `http://localhost:${port}` })).status).toBe(200);
  });
});

describe('serve --http with PERF_HUNTER_TOKEN', () => {
  let server: HttpServerProcess;
  beforeAll(async () => {
    server = await startHttpServer([], { PERF_HUNTER_TOKEN: 's3cret-token' });
  });
  afterAll(async () => server?.stop());

  it('answers 401 without the bearer token or with a wrong one, and serves it with the right one', async () => {
    const none = await post(server.url, {});
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await post(server.url, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(server.url, { Authorization: 'Basic czNjcmV0LXRva2Vu' })).status).toBe(401);
    expect((await post(server.url, { Authorization: 'Bearer s3cret-token' })).status).toBe(200);
  });
});

describe('sessions', () => {
  let server: HttpServerProcess;
  beforeAll(async () => {
    server = await startHttpServer(['--skills-dir', extraSkillsDir]);
  });
  afterAll(async () => server?.stop());

  async function connect(name: string, log: LoggingMessageNotification['params'][]): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const client = new Client({ name, version: '1' });
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void log.push(n.params));
    const transport = new StreamableHTTPClientTransport(new URL(server.url));
    await client.connect(transport);
    await client.setLoggingLevel('debug');
    return { client, transport };
  }

  it('one session\'s results and log messages never reach another', async () => {
    const logA: LoggingMessageNotification['params'][] = [];
    const logB: LoggingMessageNotification['params'][] = [];
    const a = await connect('a', logA);
    const b = await connect('b', logB);
    try {
      expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
      await sleep(200);
      logB.length = 0;
      const calls = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).client.callTool({ name: 'explain', arguments: { id: i % 2 ? 'n-plus-one-queries' : 'db-tuner' } })),
      );
      calls.forEach((result, i) => expect((result.structuredContent as { id: string }).id).toBe(i % 2 ? 'n-plus-one-queries' : 'db-tuner'));
      await sleep(200);
      // Each session saw exactly its own five runs (started + done), none of the other's.
      expect(logA.filter((m) => /^explain: done/.test(String(m.data)))).toHaveLength(5);
      expect(logB.filter((m) => /^explain: done/.test(String(m.data)))).toHaveLength(5);
    } finally {
      await a.client.close();
      await b.client.close();
    }
  });

  it('refuses a made-up session id and one that was ended', async () => {
    expect((await post(server.url, { 'mcp-session-id': 'made-up' }, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }))).status).toBe(404);
    const init = await post(server.url, {});
    const id = String(init.headers['mcp-session-id']);
    const ended = await new Promise<number>((resolve, reject) => {
      const target = new URL(server.url);
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'DELETE', headers: { Host: target.host, 'mcp-session-id': id } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(ended).toBe(200);
    expect((await post(server.url, { 'mcp-session-id': id }, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }))).status).toBe(404);
  });

  it('ends the least recently used session past 128, so abandoned sessions cannot pile up', async () => {
    const ping = (id: string): Promise<number> => post(server.url, { 'mcp-session-id': id }, JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' })).then((r) => r.status);
    const ids: string[] = [];
    for (let i = 0; i < 130; i++) ids.push(String((await post(server.url, {})).headers['mcp-session-id']));
    expect(new Set(ids).size).toBe(130);
    expect(await ping(ids[0]!)).toBe(404);
    expect(await ping(ids[1]!)).toBe(404);
    expect(await ping(ids[129]!)).toBe(200);
    expect(await ping(ids[2]!)).toBe(200);
  });
});
