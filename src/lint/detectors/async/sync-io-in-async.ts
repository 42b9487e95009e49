/**
 * sync-io-in-async: a blocking call (sync file system, child process, KDF, zlib; Python's
 * `time.sleep`, `requests`, `open`, `subprocess`, psycopg2) inside an async function or request
 * handler. While it runs, the process serves nobody else: one slow disk or URL stalls every request.
 */
import { z } from 'zod';
import { defineDetector } from '../../define.js';
import { anyOf, compileShapes, compileTsShapes, requireAll, shapeLiterals, words } from '../../engine/names.js';
import { perLanguageShapes, shapesFor } from '../../options.js';
import { asyncDefOf, eventLoopContext } from './helpers.js';

const TYPESCRIPT_BLOCKING = [
  'fs.*Sync',
  'fs-extra.*Sync',
  'child_process.execSync',
  'child_process.execFileSync',
  'child_process.spawnSync',
  'crypto.pbkdf2Sync',
  'crypto.scryptSync',
  'crypto.generateKeyPairSync',
  'crypto.randomFillSync',
  'zlib.*Sync',
];

const PYTHON_BLOCKING = [
  'time.sleep',
  'requests.get',
  'requests.post',
  'requests.put',
  'requests.patch',
  'requests.delete',
  'requests.head',
  'requests.options',
  'requests.request',
  'urllib.request.urlopen',
  'open',
  'io.open',
  'pathlib.Path().read_*',
  'pathlib.Path().write_*',
  'subprocess.run',
  'subprocess.call',
  'subprocess.check_call',
  'subprocess.check_output',
  'os.system',
  'psycopg2.connect',
  'sqlite3.connect',
  'socket.create_connection',
];

/** Where the non-blocking version lives, by the start of the resolved name. */
const ALTERNATIVES: [RegExp, string][] = [
  [/^(fs|fs-extra)\.existsSync$/, 'fs/promises.access (await it)'],
  [/^(fs|fs-extra)\.(\w+)Sync$/, 'fs/promises.$2 (await it)'],
  [/^child_process\./, 'child_process.execFile/spawn with a callback or util.promisify'],
  [/^crypto\.(pbkdf2|scrypt)Sync$/, 'crypto.$1 with a callback (it runs on the libuv pool)'],
  [/^crypto\./, 'the callback form of the same crypto call'],
  [/^zlib\.(\w+)Sync$/, 'zlib.$1 with a callback or a stream'],
  [/^time\.sleep$/, 'await asyncio.sleep()'],
  [/^(requests|urllib)\./, 'httpx.AsyncClient or aiohttp'],
  [/^(open|io\.open|pathlib\.)/, 'aiofiles or await asyncio.to_thread(...)'],
  [/^(subprocess|os\.system)/, 'await asyncio.create_subprocess_exec()'],
  [/^psycopg2\./, 'asyncpg or psycopg 3 AsyncConnection'],
];

function alternativeFor(name: string): string {
  for (const [re, alt] of ALTERNATIVES) {
    const match = re.exec(name);
    if (match) return alt.replace(/\$(\d)/g, (_, i: string) => match[Number(i)] ?? '');
  }
  return 'its async version or a worker thread';
}

export default defineDetector({
  id: 'sync-io-in-async',
  family: 'async',
  sharpEdge: 'async-not-parallel',
  severity: 'high',
  confidence: 'high',
  status: 'stable',
  requiresTypeInfo: false,
  fix: 'Use the async API (fs/promises, asyncio.sleep, httpx.AsyncClient, aiofiles) or move the blocking work to a worker thread / asyncio.to_thread.',
  docs: {
    why:
      'Async code shares one thread. A synchronous read, exec, key derivation or HTTP call inside an async function or request handler stops that thread until it returns, so every other request waits: latency spikes across the whole process, not just this route.',
    example: {
      typescript: `import { readFileSync } from 'node:fs';\nexport async function loadTemplate(name: string) {\n  return readFileSync(\`templates/\${name}.html\`, 'utf8');\n}\n`,
      python: `import time\n\nasync def poll(job):\n    time.sleep(1)\n    return await job.status()\n`,
    },
    useInstead: {
      typescript: `import { readFile } from 'node:fs/promises';\nexport async function loadTemplate(name: string) {\n  return readFile(\`templates/\${name}.html\`, 'utf8');\n}\n`,
      python: `import asyncio\n\nasync def poll(job):\n    await asyncio.sleep(1)\n    return await job.status()\n`,
    },
    whenNotToUse:
      'Start-up code at module top level, CLI scripts and plain synchronous functions may block on purpose and are not flagged. Blocking work handed to a thread (`asyncio.to_thread(time.sleep, 1)`, `run_in_executor(None, requests.get, url)`, a `lambda` or nested `def` run elsewhere) is not flagged either. Flask and Django sync views run in threads and are out of scope.',
    references: [
      'https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop',
      'https://docs.astral.sh/ruff/rules/#flake8-async-async',
    ],
  },
  messages: {
    blockingCall: '{{call}} blocks the event loop inside {{where}}; use {{alternative}}.',
  },
  options: z.object({
    /** Call shapes (dotted globs over resolved names) that block. Replaces the defaults per language. */
    blockingCalls: perLanguageShapes({ typescript: TYPESCRIPT_BLOCKING, python: PYTHON_BLOCKING }),
    /** Resolved names never to flag, e.g. a sync call you measured and accept. */
    allow: z.array(z.string()).default([]),
  }),
  // A blocking call by name; in Python only inside `async def`.
  requires: (options, language) =>
    requireAll(shapeLiterals(shapesFor(options.blockingCalls, language)), language === 'python' ? words('async') : undefined),
  visit: {
    typescript: (ctx, options) => {
      const ts = ctx.ts;
      const isBlocking = compileTsShapes(options.blockingCalls);
      const isAllowed = compileShapes(options.allow);
      return {
        CallExpression(node) {
          const name = ctx.names.qualifiedName(node.expression);
          if (!isBlocking(name) || isAllowed(name)) return;
          const where = eventLoopContext(ts, node);
          if (!where) return;
          ctx.report({ node, messageId: 'blockingCall', data: { call: name!, where: where.where, alternative: alternativeFor(name!) } });
        },
      };
    },
    python: (ctx, options) => {
      const isBlocking = compileShapes(options.blockingCalls.python);
      const isAllowed = compileShapes(options.allow);
      return {
        call(node) {
          const fn = node.childForFieldName('function');
          const name = fn ? ctx.names.qualifiedName(fn) : undefined;
          if (!isBlocking(name) || isAllowed(name)) return;
          const coroutine = asyncDefOf(node);
          if (!coroutine) return;
          const fnName = coroutine.childForFieldName('name')?.text ?? 'coroutine';
          ctx.report({ node, messageId: 'blockingCall', data: { call: name!, where: `async def ${fnName}`, alternative: alternativeFor(name!) } });
        },
      };
    },
  },
});
