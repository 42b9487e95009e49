/**
 * Protocol abuse: a fixed-seed run of malformed, truncated, oversized and out-of-order JSON-RPC
 * against the BUILT server over stdio and over Streamable HTTP. Every message with a valid request
 * envelope gets an answer (a result or a JSON-RPC error); the rest may be dropped, as the spec
 * allows. The server never exits, its memory stays bounded, and a well-formed call afterwards works.
 * `npm run stress` repeats this with far more messages (FUZZ_COUNT).
 */
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { extraSkillsDir, startHttpServer, type HttpServerProcess } from '../server/built-server.js';
import { fuzzMessage, rssKb, seededRandom, startRawStdio, type RawStdioServer } from './harness.js';

const COUNT = Number(process.env.FUZZ_COUNT ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
/** Growth allowed between the warmed-up server and the end of the run: a leak of even 1 kB per message would pass this only below ~100k messages, hence the stress run. */
const MAX_GROWTH_KB = 150 * 1024;
/** The stress run's counts take minutes, not the default 60 s. */
const TIMEOUT_MS = 60_000 + COUNT * 20;

async function validCallWorks(server: RawStdioServer, id: string): Promise<void> {
  server.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'explain', arguments: { id: 'n-plus-one-queries' } } }));
  const answer = (await server.answer(id)) as { result?: { isError?: boolean; structuredContent?: { id?: string } } };
  expect(answer.result?.isError).toBeFalsy();
  expect(answer.result?.structuredContent?.id).toBe('n-plus-one-queries');
}

describe('fuzz over stdio', () => {
  let server: RawStdioServer | undefined;
  afterAll(async () => server?.stop());

  it(`answers or drops ${COUNT} hostile messages, stays up with bounded memory, then serves a real call`, { timeout: TIMEOUT_MS }, async () => {
    server = await startRawStdio(['--skills-dir', extraSkillsDir]);
    const pid = server.child.pid!;
    await validCallWorks(server, 'warm');
    const rand = seededRandom(SEED);
    const mustAnswer: Array<number | string> = [];
    const kinds = new Map<string, number>();
    let baseline = 0;
    let peak = 0;
    for (let n = 0; n < COUNT; n++) {
      const message = fuzzMessage(rand, n);
      kinds.set(message.kind, (kinds.get(message.kind) ?? 0) + 1);
      server.send(message.text);
      if (message.answerId !== undefined) mustAnswer.push(message.answerId);
      // Bursts of 50, then wait for that burst's answers: in flight, but never an unbounded backlog in the pipe.
      if (n % 50 === 49) {
        await Promise.all(mustAnswer.splice(0).map((id) => server!.answer(id)));
        const rss = rssKb(pid);
        peak = Math.max(peak, rss);
        if (n === 199) baseline = rss;
      }
    }
    await Promise.all(mustAnswer.map((id) => server!.answer(id)));
    expect(server.child.exitCode).toBeNull();
    await validCallWorks(server, 'after');
    const answers = server.seen().filter((m) => (m as { error?: unknown }).error).length;
    peak = Math.max(peak, rssKb(pid));
    expect(peak - baseline, `RSS grew from ${baseline} kB to a peak of ${peak} kB`).toBeLessThan(MAX_GROWTH_KB);
    expect(answers).toBeGreaterThan(0);
    // Every kind of abuse was actually sent (a generator change cannot silently stop fuzzing a case).
    expect(kinds.size).toBe(12);
    console.log(`stdio fuzz: ${COUNT} messages (seed ${SEED}), ${answers} JSON-RPC errors, RSS ${baseline} -> peak ${peak} kB`);
  });
});

interface HttpAnswer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function post(url: URL, body: string, headers: Record<string, string>): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { Host: url.host, 'Content-Length': Buffer.byteLength(body), ...headers }, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text = (text + c.toString()).slice(-4096)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer within 30 s to ${body.slice(0, 80)}`)));
    req.on('error', reject);
    req.end(body);
  });
}

describe('fuzz over Streamable HTTP', () => {
  let server: HttpServerProcess | undefined;
  afterAll(async () => server?.stop());

  it(`answers every one of ${Math.round(COUNT / 2)} hostile POSTs without a 5xx, stays up, then serves a real call`, { timeout: TIMEOUT_MS }, async () => {
    server = await startHttpServer(['--skills-dir', extraSkillsDir]);
    const url = new URL(server.url);
    const base = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
    const init = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } }), base);
    expect(init.status).toBe(200);
    const session = String(init.headers['mcp-session-id']);
    const headers = { ...base, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
    expect((await post(url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), headers)).status).toBe(202);

    const rand = seededRandom(SEED + 1);
    const statuses = new Map<number, number>();
    const count = Math.round(COUNT / 2);
    const pid = server.child.pid!;
    let baseline = 0;
    let peak = 0;
    for (let n = 0; n < count; n += 8) {
      const batch = Array.from({ length: Math.min(8, count - n) }, (_, i) => {
        // Oversized here means over the 4 MB body limit sometimes: the server must refuse with 413, not buffer it.
        const message = fuzzMessage(rand, n + i, rand() < 0.1 ? 6 * 1024 * 1024 : 64 * 1024);
        const abuse = rand();
        const h: Record<string, string> =
          abuse < 0.05 ? { ...headers, 'mcp-session-id': 'not-a-session' }
          : abuse < 0.1 ? { ...headers, Accept: 'text/html' }
          : abuse < 0.15 ? { ...headers, 'Content-Type': 'text/plain' }
          : headers;
        // A request refused before its body is read (over 4 MB, unknown session) may see its write
        // fail (EPIPE/ECONNRESET) once the server answered and closed: refused either way.
        const refusedUnread = Buffer.byteLength(message.text) > 4 * 1024 * 1024 || h['mcp-session-id'] === 'not-a-session';
        return post(url, message.text, h)
          .catch((error: NodeJS.ErrnoException) => {
            if (refusedUnread && (error.code === 'EPIPE' || error.code === 'ECONNRESET')) return { status: 0, body: '', headers: {} };
            throw new Error(`${message.kind} (${Buffer.byteLength(message.text)} bytes, headers ${JSON.stringify(h)}): ${error.message}`);
          })
          .then((answer) => ({ message, answer, abused: h !== headers }));
      });
      for (const { message, answer, abused } of await Promise.all(batch)) {
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(answer.status, `${message.kind}: ${answer.body}`).toBeLessThan(500);
        if (message.answerId !== undefined && !abused && answer.status === 200) expect(answer.body).toContain(`"id":${JSON.stringify(message.answerId)}`);
      }
      const rss = rssKb(pid);
      peak = Math.max(peak, rss);
      if (n === 200) baseline = rss;
    }
    expect(server.child.exitCode).toBeNull();
    expect((statuses.get(413) ?? 0) + (statuses.get(0) ?? 0)).toBeGreaterThan(0);
    expect(peak - baseline, `RSS grew from ${baseline} kB to a peak of ${peak} kB`).toBeLessThan(MAX_GROWTH_KB);
    const after = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 'after', method: 'tools/call', params: { name: 'explain', arguments: { id: 'n-plus-one-queries' } } }), headers);
    expect(after.status).toBe(200);
    expect(after.body).toContain('"id":"after"');
    expect(after.body).not.toContain('"isError":true');
    console.log(`HTTP fuzz: ${count} POSTs (seed ${SEED + 1}), statuses ${JSON.stringify(Object.fromEntries(statuses))}, RSS ${baseline} -> peak ${peak} kB`);
  });
});
