/** The `load_test` tool through the BUILT server (`npm run build` first) with the SDK Client over stdio. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadTestReport } from '../../src/loadtest/schema.js';
import { cleanEnv, cliPath, requireBuild } from '../server/built-server.js';
import { startServer, type FakeServer } from './helpers.js';

let client: Client;
let fast: FakeServer;

beforeAll(async () => {
  requireBuild();
  fast = await startServer('fast');
  client = new Client({ name: 'load-test-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [cliPath, 'serve'], env: cleanEnv(), stderr: 'pipe' }));
});
afterAll(async () => {
  await client?.close();
  await fast?.stop();
});

const text = (result: unknown): string => (result as { content: Array<{ text: string }> }).content[0]!.text;

describe('MCP load_test tool (built server)', () => {
  it('declares its annotations', async () => {
    const { tools } = await client.listTools();
    const tool = tools.find((t) => t.name === 'load_test');
    expect(tool?.annotations).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false });
    expect(tool?.outputSchema).toBeDefined();
  });

  it('runs an open-model test with an SLO object, sends progress and answers with a verdict and a report matching the schema', async () => {
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'load_test', arguments: { url: fast.url, durationSeconds: 2.2, rate: 100, connections: 4, slo: { p99: '2s', errors: '1%' } } },
      undefined,
      { onprogress: (p) => progress.push(p.progress), timeout: 30_000 },
    );
    expect(result.isError).toBeFalsy();
    const report = LoadTestReport.parse(result.structuredContent);
    expect(report.model).toBe('open');
    expect(report.slo?.pass).toBe(true);
    expect(report.pass).toBe(true);
    expect(text(result)).toMatch(/^PASS: \d+ req\/s, p50 .*open model at 100 req\/s/);
    expect(progress.length).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('answers a refused target and bad input with isError and the fix', async () => {
    const refused = await client.callTool({ name: 'load_test', arguments: { url: 'http://192.0.2.10/', durationSeconds: 1 } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/refused target "192\.0\.2\.10".*allowHosts/);
    const bad = await client.callTool({ name: 'load_test', arguments: { url: fast.url, connections: 100_000 } });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/connections/);
  });

  it('keeps its files inside the roots: an outDir or baseline file outside is refused before any load', async () => {
    const out = await client.callTool({ name: 'load_test', arguments: { url: fast.url, durationSeconds: 1, outDir: '/etc/perf-hunter-out' } });
    expect(out.isError).toBe(true);
    expect(text(out)).toMatch(/outDir \/etc\/perf-hunter-out is outside the allowed roots .*pass a path inside them/);
    const baseline = await client.callTool({ name: 'load_test', arguments: { url: fast.url, durationSeconds: 1, baseline: { file: '../../../../etc/passwd' } } });
    expect(baseline.isError).toBe(true);
    expect(text(baseline)).toMatch(/baseline file .* is outside the allowed roots/);
  });

  it('cancelling the request stops the load at once', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'load_test', arguments: { url: fast.url, durationSeconds: 30, connections: 2 } }, undefined, {
      signal: controller.signal,
      timeout: 60_000,
    });
    await new Promise((r) => setTimeout(r, 1500));
    controller.abort();
    await expect(call).rejects.toThrow();
    // The server's load stops: its request count settles within a moment.
    await new Promise((r) => setTimeout(r, 500));
    const settled = await fast.requests();
    await new Promise((r) => setTimeout(r, 700));
    expect(await fast.requests()).toBe(settled);
  }, 30_000);
});
