/**
 * Shared by the reliability tests: a seeded generator of hostile JSON-RPC, a raw line-level stdio
 * client for the BUILT server (the SDK client would refuse to send most of this), and process
 * inspection through /proc (RSS, descendants).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cleanEnv, cliPath, requireBuild } from '../server/built-server.js';

/** mulberry32: tiny, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzMessage {
  /** The bytes to send, without the stdio newline. */
  text: string;
  /** The id of a well-formed request that therefore must be answered, else undefined. */
  answerId?: number | string;
  kind: string;
}

const METHODS = ['tools/call', 'tools/list', 'resources/read', 'resources/list', 'resources/templates/list', 'prompts/get', 'prompts/list', 'completion/complete', 'logging/setLevel', 'ping', 'initialize', 'no/such/method', ''];
const VALID_CALL = { jsonrpc: '2.0', method: 'tools/call', params: { name: 'explain', arguments: { id: 'n-plus-one-queries' } } };

/** Weird values for params and fields: wrong types, huge numbers, deep nesting, prototype keys. */
function weird(rand: () => number, depth = 0): unknown {
  const pick = Math.floor(rand() * 14);
  switch (pick) {
    case 0: return null;
    case 1: return -1e308 * rand();
    case 2: return 'x'.repeat(Math.floor(rand() * 2000));
    case 3: return [weird(rand, depth + 1), weird(rand, depth + 1)];
    case 4: return depth > 3 ? {} : { name: weird(rand, depth + 1), arguments: weird(rand, depth + 1) };
    case 5: return JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as unknown;
    case 6: return '\u0000\uffff\ud800';
    case 7: return true;
    case 8: return { uri: 'skill://../../etc/passwd' };
    case 9: return { name: 'lint', arguments: { paths: ['../../etc/passwd'] } };
    case 10: return { name: 'explain', arguments: { id: 12 } };
    case 11: return { ref: { type: 'ref/prompt', name: 'performance-review' }, argument: { name: 'target', value: weird(rand, depth + 1) } };
    case 12: return { level: 'nonsense' };
    default: return Number.MAX_SAFE_INTEGER + 2;
  }
}

/**
 * One hostile message. About one in eight is a well-formed request that must be answered (with a
 * result or a JSON-RPC error); the rest are malformed, truncated, oversized or out of order, which
 * the spec lets the server answer with an error or drop.
 */
export function fuzzMessage(rand: () => number, n: number, maxBytes = 256 * 1024): FuzzMessage {
  const pick = Math.floor(rand() * 12);
  const id = 1_000_000 + n;
  const method = METHODS[Math.floor(rand() * METHODS.length)]!;
  switch (pick) {
    case 0: {
      const full = JSON.stringify({ ...VALID_CALL, id });
      return { kind: 'truncated', text: full.slice(0, Math.max(1, Math.floor(rand() * full.length))) };
    }
    case 1: return { kind: 'not-json', text: ['{', '}', '[]', 'null', '"str"', '42', '{"jsonrpc":', '\u00ff\u00fe', '{{{{', 'undefined'][Math.floor(rand() * 10)]! };
    case 2: return { kind: 'wrong-version', text: JSON.stringify({ jsonrpc: '1.0', id, method }) };
    case 3: return { kind: 'weird-id', text: JSON.stringify({ jsonrpc: '2.0', id: weird(rand), method }) };
    case 4: {
      // A request whose params are an object has a valid envelope: it must be answered, if only with an error.
      const params = weird(rand);
      const envelopeOk = params !== null && typeof params === 'object' && !Array.isArray(params);
      return { kind: 'weird-params', text: JSON.stringify({ jsonrpc: '2.0', id, method, params }), ...(envelopeOk ? { answerId: id } : {}) };
    }
    case 5: return { kind: 'oversized', text: JSON.stringify({ jsonrpc: '2.0', id, method: 'ping', params: { pad: 'A'.repeat(Math.floor(maxBytes * (0.5 + rand() / 2))) } }), answerId: id };
    case 6: return { kind: 'stray-response', text: JSON.stringify({ jsonrpc: '2.0', id: Math.floor(rand() * 1e6), result: weird(rand) }) };
    case 7: return { kind: 'stray-error', text: JSON.stringify({ jsonrpc: '2.0', id, error: { code: 'x', message: 5 } }) };
    case 8: return { kind: 'cancel-unknown', text: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: weird(rand) } }) };
    case 9: return { kind: 'batch', text: JSON.stringify([{ jsonrpc: '2.0', id, method: 'ping' }, { bad: true }]) };
    case 10: return { kind: 'reinitialize', text: JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: weird(rand), capabilities: weird(rand), clientInfo: weird(rand) } }), answerId: id };
    default: return { kind: 'valid', text: JSON.stringify({ ...VALID_CALL, id }), answerId: id };
  }
}

/** Resident memory of a process in kB, from /proc (Linux). */
export function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** Every live descendant of `pid` (children, grandchildren...), from /proc/<pid>/stat's ppid field. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces and parentheses: fields resume after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue; // a zombie is already dead; only its parent's wait is missing
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // Exited while we looked.
    }
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length) {
    const next: number[] = [];
    for (const [child, parent] of parentOf) if (frontier.includes(parent)) next.push(child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** Live processes whose environment carries `marker` (how a test finds its own orphans after the parent died). */
export function processesWithEnv(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) found.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

export interface RawStdioServer {
  child: ChildProcess;
  /** Sends one line. */
  send(text: string): void;
  /** Resolves with the message answering `id` (result or error). */
  answer(id: number | string, ms?: number): Promise<{ result?: unknown; error?: { code: number; message: string } }>;
  /** Every parsed line seen so far. */
  seen(): unknown[];
  stderr(): string;
  stop(): Promise<void>;
}

/** `perf-hunter serve` on stdio, spoken to line by line, initialized unless `initialize: false`. */
export async function startRawStdio(args: string[] = [], options: { initialize?: boolean; env?: Record<string, string>; cwd?: string } = {}): Promise<RawStdioServer> {
  requireBuild();
  const child = spawn(process.execPath, [cliPath, 'serve', ...args], { env: cleanEnv(options.env), cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const messages: unknown[] = [];
  const waiters = new Map<string, (m: { result?: unknown; error?: { code: number; message: string } }) => void>();
  let buffer = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as { id?: unknown; result?: unknown; error?: { code: number; message: string } };
      messages.push(msg);
      if (msg.id !== undefined && msg.id !== null) waiters.get(JSON.stringify(msg.id))?.(msg);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  child.stdin!.on('error', () => undefined);
  const server: RawStdioServer = {
    child,
    send: (text) => void child.stdin!.write(`${text}\n`),
    answer: (id, ms = 30_000) =>
      new Promise((resolve, reject) => {
        const key = JSON.stringify(id);
        const earlier = messages.find((m) => JSON.stringify((m as { id?: unknown }).id) === key);
        if (earlier) return resolve(earlier as { result?: unknown });
        const timer = setTimeout(() => reject(new Error(`no answer to id ${key} within ${ms} ms; stderr: ${stderr.slice(-2000)}`)), ms);
        waiters.set(key, (m) => {
          clearTimeout(timer);
          waiters.delete(key);
          resolve(m);
        });
      }),
    seen: () => messages,
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
  if (options.initialize !== false) {
    server.send(JSON.stringify({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
    await server.answer('init');
    server.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  }
  return server;
}
