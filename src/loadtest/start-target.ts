/**
 * `load_test` with `start`: perf-hunter runs the server itself (no shell, its own process group,
 * the runtime probe preloaded), waits until it is ready — a line on its output matching
 * `readyPattern`, or else the target URL's port accepting connections — and stops the whole tree
 * at the end, on timeout and on cancel. The probe's per-route query counts come back with it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeEnv, readProbe } from '../probe/collect.js';
import type { ProbeReport } from '../probe/schema.js';
import { waitForPort } from '../profile/load.js';
import { spawnGroup, stopGroup, type GroupExit, type RunningGroup } from '../profile/process-group.js';
import { LoadTestCancelledError, LoadTestError, type StartSpec } from './schema.js';
import { confineFolder } from '../shared/confine-folder.js';

export interface StartedTarget {
  /** Stops the tree (SIGINT, SIGTERM, then SIGKILL) and returns what the probe counted. */
  stop(options?: { graceful?: boolean }): Promise<ProbeReport | null>;
  stderrTail(): string[];
}

export interface StartTargetOptions {
  /** Where a relative `start.cwd` resolves. */
  cwd: string;
  /** `start.cwd` must lie inside one of these (after realpath). */
  roots: readonly string[];
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

function confine(dir: string, roots: readonly string[]): Promise<string> {
  return confineFolder(dir, roots, 'start.cwd', (message) => new LoadTestError(message));
}

function compilePattern(source: string | undefined): RegExp | null {
  if (source === undefined) return null;
  try {
    return new RegExp(source);
  } catch (error) {
    throw new LoadTestError(`start.readyPattern is not a valid regular expression: ${(error as Error).message}`);
  }
}

/** Starts `spec` and resolves once it is ready for load at `url`. */
export async function startTarget(spec: StartSpec, url: URL, options: StartTargetOptions): Promise<StartedTarget> {
  const cwd = await confine(path.resolve(options.cwd, spec.cwd ?? '.'), options.roots);
  const pattern = compilePattern(spec.readyPattern);
  const work = await mkdtemp(path.join(os.tmpdir(), 'perf-hunter-start-'));
  let group: RunningGroup;
  try {
    const env = probeEnv({ ...(options.env ?? process.env), ...spec.env }, work);
    group = await spawnGroup(spec.command, spec.args, cwd, env);
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw new LoadTestError(`cannot start the target: ${(error as Error).message}`);
  }
  let exit: GroupExit | null = null;
  void group.exited.then((e) => (exit = e));
  let stopped = false;
  const stop = async ({ graceful = true } = {}): Promise<ProbeReport | null> => {
    if (stopped) return null;
    stopped = true;
    await stopGroup(group.pgid, { graceful, graceMs: 5000 });
    const report = graceful ? await readProbe(work) : null;
    await rm(work, { recursive: true, force: true });
    return report;
  };
  const note = (): string => {
    const lines = [...group.stdoutTail(), ...group.stderrTail()].slice(-8);
    return lines.length ? `; its last output: ${lines.join(' | ')}` : '; it printed nothing';
  };

  const until = Date.now() + spec.readyTimeoutSeconds * 1000;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const gone = (): boolean => exit !== null || Boolean(options.signal?.aborted);
  try {
    let ready = false;
    if (pattern) {
      while (!ready && Date.now() < until && !gone()) {
        ready = group.stdoutTail().some((line) => pattern.test(line)) || group.stderrTail().some((line) => pattern.test(line));
        if (!ready) await sleep(50);
      }
    }
    // After the ready line too: the line may come a moment before the socket accepts.
    if (!pattern || ready) ready = await waitForPort(host === 'localhost' ? '127.0.0.1' : host, port, Math.max(0, until - Date.now()), gone);
    if (options.signal?.aborted) throw new LoadTestCancelledError();
    if (!ready) {
      const what = exit ? `exited (${(exit as GroupExit).code ?? (exit as GroupExit).signal}) before it was ready` : `was not ready within ${spec.readyTimeoutSeconds} s`;
      const waitedFor = pattern ? `a line matching /${spec.readyPattern}/ and ${host}:${port}` : `${host}:${port} to accept connections`;
      throw new LoadTestError(`the started target ${what} (waited for ${waitedFor})${note()}`);
    }
  } catch (error) {
    await stop({ graceful: false });
    throw error;
  }
  return { stop, stderrTail: group.stderrTail };
}
