/**
 * The closed model: autocannon's connections each send the next request when the previous answer
 * arrives. Throughput is what the server sustains; latency is timed per response (sub-ms, all
 * statuses) into our own HDR histogram, but a stalled server is asked less often while it stalls,
 * so the tail is understated (coordinated omission) — the report says so.
 */
import type { CheckedTarget } from './allow.js';
import { newHistogram, recordMs } from './histogram.js';
import { secondBucket, type Measured, type RunHooks } from './measured.js';
import type { PreparedRequest } from './requests.js';
import { LoadTestCancelledError, type Latency } from './schema.js';

export interface ClosedRunOptions {
  durationSeconds: number;
  amount?: number;
  connections: number;
  pipelining: number;
  timeoutSeconds: number;
  workers?: number;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  requests: { mean: number; stdev: number; min: number; total: number; sent: number };
  latency: Record<string, number>;
  statusCodeStats: Record<string, { count: number }>;
  throughput: { total: number };
}
interface AutocannonInstance {
  stop(): void;
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
}
type Autocannon = (opts: object, cb: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

const now = (): bigint => process.hrtime.bigint();

export async function runClosed(target: CheckedTarget, requests: PreparedRequest[], options: ClosedRunOptions, hooks: RunHooks = {}): Promise<Measured> {
  const autocannon = ((await import('autocannon')) as unknown as { default: Autocannon }).default;
  const workers = options.workers && options.workers > 1 ? options.workers : undefined;
  const latency = newHistogram();
  const perSecond: Measured['perSecond'] = [];
  let answered = 0;
  let second = 0;
  const cpuStart = process.cpuUsage();
  const t0 = now();
  let instance: AutocannonInstance | undefined;
  let progress: NodeJS.Timeout | undefined;
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    try {
      instance = autocannon(
        {
          url: target.connectUrl.toString(),
          // HTTPS goes to the checked address, so TLS needs the real host name for SNI and the certificate.
          ...(target.servername ? { servername: target.servername } : {}),
          connections: options.connections,
          pipelining: options.pipelining,
          timeout: options.timeoutSeconds,
          ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds }),
          requests: requests.map((r) => ({ method: r.method, path: r.path, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) })),
          // Errors answered by the server are part of the latency picture too.
          excludeErrorStats: false,
          // A short sample interval makes `stop()` take effect within 100 ms (it acts on the next sample).
          sampleInt: workers ? 1000 : 100,
          ...(workers ? { workers } : {}),
        },
        (error, res) => (error ? reject(error) : resolve(res)),
      );
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!workers) {
      instance.on('response', (_client, _statusCode, _bytes, responseTimeMs) => {
        answered++;
        recordMs(latency, responseTimeMs);
        const bucket = secondBucket(perSecond, second, true);
        bucket.count++;
        recordMs(bucket.latency!, responseTimeMs);
      });
    }
    // The second a response falls in advances with this timer: no clock read per response.
    progress = setInterval(() => {
      const elapsed = Number(now() - t0) / 1e9;
      second = Math.floor(elapsed);
      hooks.onSecond?.(elapsed, answered);
    }, 1000);
    const stop = (): void => instance?.stop();
    hooks.stop?.addEventListener('abort', stop, { once: true });
    hooks.signal?.addEventListener('abort', stop, { once: true });
    if (hooks.signal?.aborted || hooks.stop?.aborted) stop();
  });
  clearInterval(progress);
  const end = now();
  if (hooks.signal?.aborted) throw new LoadTestCancelledError();
  const cpu = process.cpuUsage(cpuStart);
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  const answeredTotal = workers ? Object.values(statusCodes).reduce((a, b) => a + b, 0) : answered;
  return {
    durationSeconds: Math.max(1e-3, Number(end - t0) / 1e9),
    sent: result.requests.sent ?? answeredTotal,
    answered: answeredTotal,
    latency,
    latencySummary: workers ? autocannonLatency(result.latency, answeredTotal) : null,
    service: null,
    latencyResolution: workers ? 'millisecond' : 'microsecond',
    // autocannon counts a timeout as an error too.
    errors: Math.max(0, result.errors - result.timeouts),
    timeouts: result.timeouts,
    statusCodes,
    bytes: result.throughput.total,
    cpuMicros: cpu.user + cpu.system,
    rpsSummary: workers ? { mean: result.requests.mean, stdev: result.requests.stdev, min: result.requests.min } : null,
    perSecond: workers ? [] : perSecond,
    open: null,
  };
}

/** With worker threads the responses never reach this thread: use autocannon's own (whole-ms) figures. */
function autocannonLatency(l: Record<string, number>, count: number): Latency {
  return { p50: l.p50 ?? 0, p90: l.p90 ?? 0, 'p97.5': l.p97_5 ?? 0, p99: l.p99 ?? 0, 'p99.9': l.p99_9 ?? 0, max: l.max ?? 0, mean: l.mean ?? 0, count };
}
