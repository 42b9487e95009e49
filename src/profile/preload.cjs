/**
 * Loaded into every Node process of a profiled run through NODE_OPTIONS=--require (so `npm run x`,
 * `npx tsx f.ts` and Node children are all covered). Node 20 refuses --cpu-prof in NODE_OPTIONS,
 * so the profilers run here through an in-process inspector session, which also lets the heap
 * sampler keep objects that were already collected (total allocation, not only what is live at exit).
 *
 * On exit it writes, per process, into $PERF_HUNTER_PROFILE_DIR:
 *   cpu-<pid>.cpuprofile, heap-<pid>.heapprofile (with heap sampling), proc-<pid>.json (argv, ppid,
 *   event-loop delay, heap timeline). Each file is written to a temp name and renamed, so the
 *   collector never reads half a file.
 * SIGINT/SIGTERM become process.exit() (profiles are only written on exit); an application that
 * handles the signal itself gets a short grace period first. A signal handler needs a free event
 * loop, which a CPU-bound program never gives back, so a small worker thread also watches for the
 * runner's stop file and asks the main thread to exit through the inspector, whose messages
 * interrupt running JavaScript.
 * CommonJS on purpose: --require must work for ESM and CJS applications alike.
 */
'use strict';

const dir = process.env.PERF_HUNTER_PROFILE_DIR;
const { isMainThread } = require('node:worker_threads');

if (dir && isMainThread) start(dir);

function start(outDir) {
  const fs = require('node:fs');
  const path = require('node:path');
  const inspector = require('node:inspector');
  const { monitorEventLoopDelay } = require('node:perf_hooks');

  const cpuIntervalUs = Number(process.env.PERF_HUNTER_PROFILE_CPU_INTERVAL_US || 0);
  const heapIntervalBytes = Number(process.env.PERF_HUNTER_PROFILE_HEAP_INTERVAL || 0);
  const heapTimeline = process.env.PERF_HUNTER_PROFILE_HEAP_TIMELINE === '1';
  const startedAt = Date.now();
  // The monotonic clock in microseconds, the clock of .cpuprofile timestamps: lets the runner line up processes.
  const monoUs = () => Number(process.hrtime.bigint() / 1000n);
  // performance.now() counts from the process's start, so this is when the process began, not the preload.
  const monoStartUs = monoUs() - Math.round(require('node:perf_hooks').performance.now() * 1000);

  const session = new inspector.Session();
  session.connect();
  const failures = [];
  const post = (method, params) =>
    new Promise((resolve) => {
      session.post(method, params, (error, result) => {
        if (error) failures.push(`${method}: ${error.message}`);
        resolve(result);
      });
    });

  if (cpuIntervalUs > 0) {
    post('Profiler.enable');
    post('Profiler.setSamplingInterval', { interval: cpuIntervalUs });
    post('Profiler.start');
  }
  if (heapIntervalBytes > 0) {
    post('HeapProfiler.enable');
    post('HeapProfiler.startSampling', {
      samplingInterval: heapIntervalBytes,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();

  const timeline = [];
  if (heapTimeline) {
    // The young generation is left out: it fills with short-lived garbage and grows its own size
    // during warm-up, which looks like growth on a short run. What a leak keeps ends up promoted.
    const retained = () =>
      require('node:v8')
        .getHeapSpaceStatistics()
        .reduce((sum, space) => (space.space_name === 'new_space' ? sum : sum + space.space_used_size), 0);
    const sample = () => timeline.push([Date.now() - startedAt, retained()]);
    sample();
    setInterval(sample, 100).unref();
  }

  function writeAtomically(name, text) {
    const file = path.join(outDir, name);
    const temp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temp, text);
      fs.renameSync(temp, file);
    } catch {
      // The run folder may be gone (cancelled run): nothing to report to.
    }
  }

  // A second process.exit() while the exit handlers run (a signal and the stop file arriving
  // together, each asking to exit) ends the process mid-write: exits after the first are ignored.
  let exiting = false;
  const exitOnce = (code) => {
    if (exiting) return;
    exiting = true;
    process.exit(code);
  };
  Object.defineProperty(globalThis, Symbol.for('perf-hunter.preload.exit'), { value: exitOnce });

  let written = false;
  function writeResults(code) {
    exiting = true;
    if (written) return;
    written = true;
    delay.disable();
    // The in-process session answers synchronously, so these callbacks run before exit completes.
    if (cpuIntervalUs > 0) {
      session.post('Profiler.stop', (error, result) => {
        if (error) failures.push(`Profiler.stop: ${error.message}`);
        else writeAtomically(`cpu-${process.pid}.cpuprofile`, JSON.stringify(result.profile));
      });
    }
    if (heapIntervalBytes > 0) {
      session.post('HeapProfiler.stopSampling', (error, result) => {
        if (error) failures.push(`HeapProfiler.stopSampling: ${error.message}`);
        else writeAtomically(`heap-${process.pid}.heapprofile`, JSON.stringify(result.profile));
      });
    }
    // The histogram records whole timer intervals; the delay is what exceeds the 10 ms resolution.
    const ms = (ns) => Math.max(0, Math.round((ns - 10e6) / 1e4) / 100);
    const hasDelay = delay.count > 0;
    writeAtomically(
      `proc-${process.pid}.json`,
      JSON.stringify({
        pid: process.pid,
        ppid: process.ppid,
        argv: process.argv,
        exitCode: code,
        startedAt,
        endedAt: Date.now(),
        monoStartUs,
        // Taken after the profiles were serialised and written: the process is as good as gone.
        monoEndUs: monoUs(),
        eventLoopDelay: hasDelay
          ? { p50Ms: ms(delay.percentile(50)), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max), meanMs: ms(delay.mean), count: delay.count }
          : null,
        heapTimeline: heapTimeline ? timeline : null,
        failures,
      }),
    );
  }
  process.on('exit', writeResults);

  startStopWatcher(outDir);

  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      const code = signal === 'SIGINT' ? 130 : 143;
      // Only our listener: the default action would kill the process without writing the profile.
      if (process.listenerCount(signal) <= 1) exitOnce(code);
      // The application handles it: let its shutdown run, but not forever.
      setTimeout(() => exitOnce(code), 1500).unref();
    });
  }
}

/** The worker: when `<dir>/stop` appears, evaluate process.exit() in the main thread (exit handlers then write the files). */
function startStopWatcher(outDir) {
  const { Worker } = require('node:worker_threads');
  const source = `
    const fs = require('node:fs');
    const inspector = require('node:inspector');
    const { workerData } = require('node:worker_threads');
    const timer = setInterval(() => {
      if (!fs.existsSync(workerData.stopFile)) return;
      clearInterval(timer);
      const session = new inspector.Session();
      session.connectToMainThread();
      session.post('Runtime.evaluate', { expression: "(globalThis[Symbol.for('perf-hunter.preload.exit')] || process.exit)(130)" }, () => {});
    }, 100);
  `;
  try {
    const worker = new Worker(source, { eval: true, workerData: { stopFile: require('node:path').join(outDir, 'stop') }, stdout: false, stderr: false });
    worker.unref();
    worker.on('error', () => {});
  } catch {
    // Without the watcher, signals still stop programs whose event loop is free.
  }
}
