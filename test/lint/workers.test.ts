/**
 * Parsing over worker threads: the same report as in-process on a tree large enough to use them,
 * and a cancelled run (directly and through an MCP request) leaves no worker thread behind. The
 * pool itself: batches, a file that fails alone, the calling thread parsing queued files itself.
 * The workers run the built dist/lint/worker.js (`npm run build` first; npm test does).
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectors } from '../../src/lint/detectors/index.js';
import { configureDetector } from '../../src/lint/engine/core.js';
import { lintFile } from '../../src/lint/engine/index.js';
import { LintPool, liveWorkerThreads, MAX_BATCH, type ParseTask, WORKERS_FROM } from '../../src/lint/pool.js';
import { runLint } from '../../src/lint/run-lint.js';
import type { LintReport } from '../../src/lint/schema.js';
import { createServer } from '../../src/server/create-server.js';
import { SkillCatalog } from '../../src/skills/catalog.js';
import { loadSkills } from '../../src/skills/load.js';
import type { Skill } from '../../src/skills/model.js';
import { requireBuild } from '../server/built-server.js';
import { HANDLER_TS, WORKER_PY } from './validate-tree.js';

let dir: string;
let skills: Skill[];
const PY_FILES = WORKERS_FROM * 4;

beforeAll(async () => {
  requireBuild();
  dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-workers-')));
  // Python files (parsed by workers) with findings in different places, TS files parsed in-process.
  for (let i = 0; i < PY_FILES; i++) {
    const body = i % 3 === 0 ? WORKER_PY : i % 3 === 1 ? `import requests\n\n\ndef get(u):\n    return requests.get(u)\n# ${i}\n` : `x = ${i}\n`;
    mkdirSync(path.join(dir, `pkg${i % 7}`), { recursive: true });
    writeFileSync(path.join(dir, `pkg${i % 7}`, `m${i}.py`), body);
  }
  for (let i = 0; i < 10; i++) writeFileSync(path.join(dir, `h${i}.ts`), HANDLER_TS);
  skills = (await loadSkills()).skills;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withThreads<T>(threads: string, fn: () => Promise<T>): Promise<T> {
  const previous = process.env.PERF_HUNTER_LINT_THREADS;
  process.env.PERF_HUNTER_LINT_THREADS = threads;
  try {
    return await fn();
  } finally {
    if (previous === undefined) delete process.env.PERF_HUNTER_LINT_THREADS;
    else process.env.PERF_HUNTER_LINT_THREADS = previous;
  }
}

const lint = (signal?: AbortSignal, onProgress?: () => void) =>
  runLint({ paths: ['.'] }, { cwd: dir, skills, all: true, cache: false, config: false, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) });

const seen = (r: LintReport) => ({ findings: r.findings, totals: r.totals, files: r.files, errors: r.errors, suppressed: r.suppressed });

describe('lint workers', () => {
  it('give the same report as one thread on a tree big enough to use them', async () => {
    const single = await withThreads('1', () => lint());
    // Two parsing threads: this one and one worker; three: two workers.
    const pooled = await withThreads('2', () => lint());
    const wider = await withThreads('3', () => lint());
    expect(single.stats.workers).toBeUndefined();
    expect(pooled.stats.workers).toBe(1);
    expect(wider.stats.workers).toBe(2);
    expect(pooled.findings.length).toBeGreaterThan(PY_FILES / 3);
    expect(seen(pooled)).toEqual(seen(single));
    expect(seen(wider)).toEqual(seen(single));
    expect(liveWorkerThreads()).toBe(0);
  });

  it('a small run stays in-process', async () => {
    const small = await withThreads('2', () => runLint({ paths: ['pkg0/m0.py', 'h0.ts'] }, { cwd: dir, cache: false, config: false }));
    expect(small.stats.workers).toBeUndefined();
    expect(small.total).toBeGreaterThan(0);
  });

  it('a cancelled run stops its workers at once', async () => {
    const controller = new AbortController();
    let progressed = 0;
    const started = performance.now();
    const run = withThreads('2', () => lint(controller.signal, () => {
      if (++progressed === WORKERS_FROM + 5) controller.abort();
    }));
    await expect(run).rejects.toThrow(/abort/i);
    expect(progressed).toBeLessThan(PY_FILES + 10);
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(liveWorkerThreads()).toBe(0);
  });

  it('cancelling an MCP lint request stops the workers', async () => {
    const catalog = new SkillCatalog(skills, []);
    const server = createServer({ catalog: async () => catalog, log: () => {} });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'workers-test', version: '1.0.0' }, { capabilities: { roots: {} } });
    client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: pathToFileURL(dir).href, name: 'tree' }] }));
    await client.connect(clientSide);
    try {
      const controller = new AbortController();
      let threadsSeen = 0;
      const call = withThreads('2', () =>
        client.callTool({ name: 'lint', arguments: { paths: [dir] } }, undefined, {
          signal: controller.signal,
          onprogress: () => {
            threadsSeen = Math.max(threadsSeen, liveWorkerThreads());
            if (threadsSeen > 0) controller.abort();
          },
        }),
      );
      await expect(call).rejects.toThrow(/abort/i);
      expect(threadsSeen).toBeGreaterThan(0);
      // The server sees the cancellation notification a moment later; its run then ends its pool.
      const deadline = Date.now() + 10_000;
      while (liveWorkerThreads() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(liveWorkerThreads()).toBe(0);
    } finally {
      await client.close();
    }
  });

  describe('the pool itself', () => {
    const rules = detectors.map((d) => configureDetector(d));
    const pythonRules = rules.flatMap((r, i) => (r.detector.visit.python ? [i] : []));
    const task = (i: number): ParseTask => ({
      code: i % 2 === 0 ? WORKER_PY : `import requests\n\n\ndef get(u):\n    return requests.get(u)\n# ${i}\n`,
      filename: `m${i}.py`,
      rules: pythonRules,
    });

    it('files asked for together travel in batches and each gets its own result, as in-process', async () => {
      const pool = await LintPool.open(rules, 2);
      expect(pool).toBeDefined();
      try {
        const tasks = Array.from({ length: MAX_BATCH * 5 }, (_, i) => task(i));
        const pooled = await Promise.all(tasks.map((t) => pool!.parse(t)));
        const inProcess = await Promise.all(tasks.map((t) => lintFile(t, t.rules.map((i) => rules[i]!), { prefilter: false })));
        expect(pooled).toEqual(inProcess);
        expect(pooled.every((r) => r.findings.length === 1)).toBe(true);
        expect(pooled.map((r) => r.findings[0]!.file)).toEqual(tasks.map((t) => t.filename));
      } finally {
        await pool!.destroy();
      }
      expect(liveWorkerThreads()).toBe(0);
    });

    it('a file that cannot be linted fails alone; the rest of its batch still answers', async () => {
      const pool = await LintPool.open(rules, 2);
      try {
        const tasks = [task(0), { ...task(1), filename: 'notes.txt' }, task(2)];
        const settled = await Promise.allSettled(tasks.map((t) => pool!.parse(t)));
        expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/notes\.txt.*unsupported file type/);
      } finally {
        await pool!.destroy();
      }
    });

    it('the calling thread parses queued files itself, with the same results, and leaves what it is told to', async () => {
      const pool = (await LintPool.open(rules, 2))!;
      try {
        expect(pool.workers).toBe(1);
        const tasks = Array.from({ length: 30 }, (_, i) => task(i));
        const answers = tasks.map((t) => pool.parse(t));
        let helped = 0;
        while (await pool.helpWith(10)) helped++;
        // The worker took at most its two batches; this thread took the rest down to the 10 left.
        expect(helped).toBeGreaterThanOrEqual(30 - 2 * MAX_BATCH - 10);
        expect(await pool.helpWith(1_000)).toBe(false);
        const inProcess = await Promise.all(tasks.map((t) => lintFile(t, t.rules.map((i) => rules[i]!), { prefilter: false })));
        expect(await Promise.all(answers)).toEqual(inProcess);
        expect(await pool.helpWith()).toBe(false); // nothing left
      } finally {
        await pool.destroy();
      }
    });

    it('destroy drops files still waiting for their batch, and later calls are refused', async () => {
      const pool = (await LintPool.open(rules, 2))!;
      const waiting = Promise.allSettled(Array.from({ length: 20 }, (_, i) => pool.parse(task(i))));
      await pool.destroy();
      const settled = await waiting;
      expect(settled.every((s) => s.status === 'rejected')).toBe(true);
      await expect(pool.parse(task(0))).rejects.toThrow(/destroyed/);
      expect(liveWorkerThreads()).toBe(0);
    });
  });
});
