/**
 * The hook's fast path: an eslint_d-style warm helper. Loading the linter (ts-morph carries the
 * TypeScript compiler, ~0.7 s to require on a busy 2-core machine) costs far more than linting
 * one file, and Claude Code starts a new hook process for every edit. So the first hook call
 * starts a helper process in the background (detached, no shell) that keeps those modules
 * loaded and answers later calls over a Unix socket in the perf-hunter cache folder; it exits
 * after some idle minutes.
 *
 * Imports only Node built-ins: this module runs before anything heavy is loaded. Whatever goes
 * wrong with the helper (absent, stale, refusing, slow, crashed mid-answer), the caller gets
 * `undefined` and lints in-process: the helper can make the hook faster, never break it.
 *
 * PERF_HUNTER_HOOK_WARM=0 turns the helper off; PERF_HUNTER_HOOK_IDLE_MINUTES sets its life (default 15).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WarmRequest {
  /** The hook JSON exactly as Claude Code sent it. */
  stdin: string;
  /** The caller's cwd, for hook input that carries none. */
  cwd: string;
}

export interface WarmAnswer {
  stdout: string;
  stderr: string;
}

/** Unix socket paths are limited to ~108 bytes; a deep cache folder falls back to the temp folder. */
const MAX_SOCKET_PATH = 100;
const CONNECT_TIMEOUT_MS = 300;
/** Longer than any single-file lint; past it the caller lints in-process (well inside Claude's 30 s hook timeout). */
const ANSWER_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_MINUTES = 15;
const START_BACKOFF_MS = 60_000;

export function warmEnabled(env: NodeJS.ProcessEnv): boolean {
  const flag = env.PERF_HUNTER_HOOK_WARM?.trim();
  if (flag === '0' || flag === 'false' || flag === 'off') return false;
  return !(env.PERF_HUNTER_NO_CACHE && env.PERF_HUNTER_NO_CACHE !== '0') && process.platform !== 'win32';
}

/**
 * Where the helper listens. The name carries everything the helper's answers depend on besides
 * the request: this build of perf-hunter (its files' mtimes), the Node binary, and the
 * environment it reads (HOME, PERF_HUNTER_*). A rebuild or another setting meets a new helper;
 * the old one idles out.
 */
export function socketPathFor(env: NodeJS.ProcessEnv): string {
  const here = fileURLToPath(import.meta.url);
  const build = [here, path.join(path.dirname(here), '..', 'lint', 'run-lint.js'), path.join(path.dirname(here), '..', 'skills', 'load.js')]
    .map((f) => {
      try {
        return `${f}:${statSync(f).mtimeMs}`;
      } catch {
        return `${f}:-`;
      }
    });
  const settings = Object.entries(env)
    .filter(([k]) => k.startsWith('PERF_HUNTER_') || k === 'HOME' || k === 'XDG_CACHE_HOME')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  const hash = (parts: string[]) => createHash('sha1').update(parts.join('\n')).digest('hex').slice(0, 8);
  // Two halves: a helper of another build is stale and is stopped by the next one (warm-server.ts).
  const key = `${hash([...build, process.execPath, process.version])}-${hash(settings)}`;
  const dir = cacheDir(env);
  const preferred = path.join(dir, `hook-${key}.sock`);
  if (preferred.length <= MAX_SOCKET_PATH) return preferred;
  return path.join(os.tmpdir(), `perf-hunter-${process.getuid?.() ?? 'u'}-hook-${key}.sock`);
}

/** Same folder as the skill load cache: $PERF_HUNTER_CACHE_DIR, $XDG_CACHE_HOME/perf-hunter, ~/.cache/perf-hunter. */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  if (env.PERF_HUNTER_CACHE_DIR) return env.PERF_HUNTER_CACHE_DIR;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'perf-hunter');
}

export type AskResult = { ok: true; answer: WarmAnswer } | { ok: false; reason: 'absent' | 'broken' };

/** One request to the helper; never throws, never waits past the timeouts. */
export function askWarmHelper(socket: string, request: WarmRequest, timeouts = { connect: CONNECT_TIMEOUT_MS, answer: ANSWER_TIMEOUT_MS }): Promise<AskResult> {
  return new Promise((resolve) => {
    let settled = false;
    let data = '';
    const client = net.createConnection(socket);
    const done = (result: AskResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.destroy();
      resolve(result);
    };
    let timer = setTimeout(() => done({ ok: false, reason: 'broken' }), timeouts.connect);
    client.on('connect', () => {
      clearTimeout(timer);
      timer = setTimeout(() => done({ ok: false, reason: 'broken' }), timeouts.answer);
      client.end(`${JSON.stringify(request)}\n`);
    });
    client.setEncoding('utf8');
    client.on('data', (chunk: string) => (data += chunk));
    client.on('end', () => {
      const answer = parseAnswer(data);
      done(answer ? { ok: true, answer } : { ok: false, reason: 'broken' });
    });
    client.on('error', (error: NodeJS.ErrnoException) => {
      // No socket file, or a file nobody listens on (the helper died): start a new one.
      done({ ok: false, reason: error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? 'absent' : 'broken' });
    });
  });
}

function parseAnswer(text: string): WarmAnswer | undefined {
  try {
    const value = JSON.parse(text) as Partial<WarmAnswer>;
    if (typeof value.stdout === 'string' && typeof value.stderr === 'string') return { stdout: value.stdout, stderr: value.stderr };
  } catch {
    // fall through
  }
  return undefined;
}

/**
 * Starts the helper in the background: detached, its own process group, no stdio, no shell, and
 * the caller does not wait for it. Only from a build (the helper's entry is compiled JS).
 */
export function startWarmHelper(socket: string, env: NodeJS.ProcessEnv): boolean {
  const entry = fileURLToPath(new URL('./warm-main.js', import.meta.url));
  if (!existsSync(entry)) return false;
  // One start per minute at most: a helper still loading (or one that cannot start at all)
  // must not get a twin from every edit in between.
  const marker = `${socket}.starting`;
  try {
    if (Date.now() - statSync(marker).mtimeMs < START_BACKOFF_MS) return false;
  } catch {
    // no recent start
  }
  try {
    mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
    writeFileSync(marker, `${Date.now()}\n`);
    const child = spawn(process.execPath, [entry, socket], { detached: true, stdio: 'ignore', env, cwd: os.homedir() });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/** The helper's pid, written beside its socket (for tests and for a person who wants to stop it). */
export function pidFileOf(socket: string): string {
  return `${socket}.pid`;
}

export function readHelperPid(socket: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFileOf(socket), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The hook as Claude Code calls it: through the warm helper when one answers, else in-process
 * (starting a helper for next time when none is running).
 */
export async function postEditFast(stdin: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<WarmAnswer> {
  if (warmEnabled(env)) {
    const socket = socketPathFor(env);
    const asked = await askWarmHelper(socket, { stdin, cwd });
    if (asked.ok) return asked.answer;
    if (asked.reason === 'absent') startWarmHelper(socket, env);
  }
  const { runPostEdit } = await import('./post-edit.js');
  return runPostEdit(stdin, { env, cwd });
}
