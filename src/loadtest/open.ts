/**
 * The open model: requests go out at a constant rate whatever the server does, over a bounded
 * undici pool, and each is timed from its SCHEDULED send time. A server that stalls therefore
 * shows the stall in every request that should have been sent meanwhile (no coordinated
 * omission), which closed-loop tools and after-the-fact corrections get wrong. The uncorrected
 * service time (from the actual send) is kept beside it, and requests that could not go out on
 * time are counted.
 */
import { Pool } from 'undici';
import type { CheckedTarget } from './allow.js';
import { newHistogram, recordMs } from './histogram.js';
import { isTimeoutError, secondBucket, type Measured, type RunHooks } from './measured.js';
import type { PreparedRequest } from './requests.js';
import { LoadTestCancelledError } from './schema.js';

export interface OpenRunOptions {
  rate: number;
  durationSeconds: number;
  amount?: number;
  connections: number;
  pipelining: number;
  timeoutSeconds: number;
}

const now = (): bigint => process.hrtime.bigint();
const nsToMs = (ns: bigint): number => Number(ns) / 1e6;
/** Later than this after its scheduled time, a send counts as late. */
const LATE_NS = 1_000_000n;
/**
 * Within this of the next send the loop polls with setImmediate (still yielding to I/O) instead of
 * a timer, whose granularity is ~1 ms. It costs CPU only in the last millisecond before each send,
 * but at 1,000 req/s and up that is all the time: the generator's CPU figure then includes polling.
 */
const SPIN_NS = 1_000_000n;

export async function runOpen(target: CheckedTarget, requests: PreparedRequest[], options: OpenRunOptions, hooks: RunHooks = {}): Promise<Measured> {
  const capacity = options.connections * options.pipelining;
  const pool = new Pool(target.connectUrl.origin, {
    connections: options.connections,
    pipelining: options.pipelining,
    headersTimeout: options.timeoutSeconds * 1000,
    bodyTimeout: options.timeoutSeconds * 1000,
    connectTimeout: options.timeoutSeconds * 1000,
    // HTTPS goes to the checked address, so TLS needs the real host name for SNI and the certificate.
    ...(target.servername ? { connect: { servername: target.servername } } : {}),
  });
  const intervalNs = BigInt(Math.max(1, Math.round(1e9 / options.rate)));
  const limit = options.amount ?? Math.max(1, Math.floor(options.durationSeconds * options.rate));
  const latency = newHistogram();
  const service = newHistogram();
  const measured: Measured = {
    durationSeconds: 0,
    sent: 0,
    answered: 0,
    latency,
    latencySummary: null,
    service,
    latencyResolution: 'microsecond',
    errors: 0,
    timeouts: 0,
    statusCodes: {},
    bytes: 0,
    cpuMicros: 0,
    rpsSummary: null,
    perSecond: [],
    open: { target: options.rate, late: 0, waitedForConnection: 0, notSent: 0, sendWindowSeconds: 0 },
  };
  const open = measured.open!;

  let scheduledCount = 0;
  let inFlight = 0;
  let stopped = false;
  let lastSend = 0n;
  const backlog: bigint[] = [];
  const cpuStart = process.cpuUsage();
  const t0 = now() + 1_000_000n;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const checkDone = (): void => {
    if ((stopped || scheduledCount >= limit) && inFlight === 0 && backlog.length === 0) finish();
  };

  const send = (scheduled: bigint, index: number): void => {
    const sentAt = now();
    lastSend = sentAt;
    if (sentAt - scheduled > LATE_NS) open.late++;
    inFlight++;
    measured.sent++;
    const request = requests[index % requests.length]!;
    pool
      .request({ method: request.method as 'GET', path: request.path, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) })
      .then(async ({ statusCode, body }) => {
        let bytes = 0;
        for await (const chunk of body) bytes += (chunk as Buffer).length;
        const end = now();
        if (stopped && hooks.signal?.aborted) return;
        measured.answered++;
        measured.bytes += bytes;
        measured.statusCodes[statusCode] = (measured.statusCodes[statusCode] ?? 0) + 1;
        const ms = nsToMs(end - scheduled);
        recordMs(latency, ms);
        recordMs(service, nsToMs(end - sentAt));
        const bucket = secondBucket(measured.perSecond, Math.max(0, Math.floor(Number(end - t0) / 1e9)), true);
        bucket.count++;
        recordMs(bucket.latency!, ms);
      })
      .catch((error: unknown) => {
        if (stopped && hooks.signal?.aborted) return;
        if (isTimeoutError(error)) measured.timeouts++;
        else measured.errors++;
      })
      .finally(() => {
        inFlight--;
        const next = backlog.shift();
        if (next !== undefined && !stopped) send(next, Number((next - t0) / intervalNs));
        else if (next !== undefined) backlog.length = 0;
        checkDone();
      });
  };

  // A precise timer loop: coarse timers while far from the next send, setImmediate close to it;
  // every due send goes out at once when the loop was late (catching up, counted as late).
  const tick = (): void => {
    if (stopped) return checkDone();
    const current = now();
    while (scheduledCount < limit) {
      const scheduled = t0 + BigInt(scheduledCount) * intervalNs;
      if (scheduled > current) break;
      if (inFlight < capacity) send(scheduled, scheduledCount);
      else {
        backlog.push(scheduled);
        open.waitedForConnection++;
      }
      scheduledCount++;
    }
    if (scheduledCount >= limit) return checkDone();
    const wait = t0 + BigInt(scheduledCount) * intervalNs - now();
    if (wait > SPIN_NS) setTimeout(tick, Number(wait - SPIN_NS) / 1e6);
    else setImmediate(tick);
  };

  // Requests still waiting for a connection when the window plus one timeout has passed are dropped
  // (counted as not sent): the run ends in bounded time even against a server that cannot keep up.
  const windowNs = BigInt(Math.round((options.amount !== undefined ? limit / options.rate : options.durationSeconds) * 1e9));
  const deadline = setTimeout(() => {
    open.notSent += backlog.length + (limit - scheduledCount);
    onStop();
  }, Number(windowNs) / 1e6 + options.timeoutSeconds * 1000 + 1);
  const progress = setInterval(() => hooks.onSecond?.(nsToMs(now() - t0) / 1000, measured.answered), 1000);
  const onStop = (): void => {
    stopped = true;
    backlog.length = 0;
    checkDone();
  };
  const onCancel = (): void => {
    onStop();
    // Destroying the pool aborts every request in flight: the load stops at once.
    void pool.destroy().catch(() => undefined);
    finish();
  };
  hooks.stop?.addEventListener('abort', onStop, { once: true });
  hooks.signal?.addEventListener('abort', onCancel, { once: true });
  if (hooks.signal?.aborted) onCancel();
  else setImmediate(tick);

  try {
    await done;
  } finally {
    clearInterval(progress);
    clearTimeout(deadline);
    hooks.stop?.removeEventListener('abort', onStop);
    hooks.signal?.removeEventListener('abort', onCancel);
  }
  const end = now();
  if (hooks.signal?.aborted) throw new LoadTestCancelledError();
  await pool.close().catch(() => undefined);
  const cpu = process.cpuUsage(cpuStart);
  measured.cpuMicros = cpu.user + cpu.system;
  measured.durationSeconds = Math.max(1e-3, Number(end - t0) / 1e9);
  open.sendWindowSeconds = Math.max(Number(lastSend - t0) / 1e9 + Number(intervalNs) / 1e9, 1e-3);
  return measured;
}
