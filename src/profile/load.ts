/**
 * Load while profiling (the clinic.js --autocannon workflow): wait for the target's port, drive
 * autocannon at it for a bounded time, report requests/s and latency. Loopback only: profiling
 * is not a way to load-test other people's machines.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isLoopbackHost } from '../loadtest/allow.js';
import { ProfileError, type LoadInput, type ProfileReport } from './schema.js';

type LoadSummary = NonNullable<ProfileReport['load']>;

export interface LoadTarget {
  url: URL;
  host: string;
  port: number;
}

export function loopbackTarget(raw: string): LoadTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProfileError(`load.url is not a URL: "${raw}" (e.g. http://127.0.0.1:3000/)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProfileError(`load.url must be http:// or https://, got ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!isLoopbackHost(host)) throw new ProfileError(`load.url must be on this machine (127.0.0.1, ::1 or localhost), got "${url.hostname}"`);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return { url, host: host === 'localhost' ? '127.0.0.1' : host, port };
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls a TCP connect until the port answers; false when `timeoutMs` passes or `stop` says so. */
export async function waitForPort(host: string, port: number, timeoutMs: number, stop: () => boolean): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !stop()) {
    if (await canConnect(host, port)) return true;
    await sleep(100);
  }
  return false;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
interface AutocannonInstance {
  stop(): void;
}
type Autocannon = (opts: object, cb: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

/** Runs autocannon in-process; `signal` stops it early (the figures then cover the time it ran). */
export async function driveLoad(target: LoadTarget, load: LoadInput, signal: AbortSignal): Promise<LoadSummary> {
  const autocannon = ((await import('autocannon')) as unknown as { default: Autocannon }).default;
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon(
      { url: target.url.toString(), connections: load.connections, duration: load.durationSeconds, timeout: 10 },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    signal.addEventListener('abort', () => instance.stop(), { once: true });
  });
  return {
    url: target.url.toString(),
    connections: load.connections,
    durationSeconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}
