/**
 * Runs the target in its own process group (no shell) so the whole tree - npm, sh, node children -
 * can be stopped together: SIGINT first (our preload turns it into exit, which writes the profile;
 * cProfile writes on KeyboardInterrupt), then SIGTERM, then SIGKILL once the grace period is over.
 * `requestStop` comes first: Node targets are also asked through a stop file, which works even
 * while their event loop is blocked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const TAIL_LINES = 20;

/**
 * The group is detached so it can be signalled as one, which also means it outlives the server
 * if the server dies without cleaning up (SIGKILL, a crash). A tiny watchdog process holds a pipe
 * from the server: the kernel closes it however the server dies, and the watchdog then stops the
 * group (SIGTERM, SIGKILL after 2 s). It exits by itself once the group is gone.
 */
const WATCHDOG = `
const pgid = Number(process.argv[1]);
const signal = (s) => { try { process.kill(-pgid, s); } catch {} };
const alive = () => { try { process.kill(-pgid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
process.stdin.resume();
process.stdin.on('end', () => { signal('SIGTERM'); setTimeout(() => { signal('SIGKILL'); process.exit(0); }, 2000); });
setInterval(() => { if (!alive()) process.exit(0); }, 500);
`;
const watchdogs = new Map<number, ChildProcess>();

function watchGroup(pgid: number): void {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(pgid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => undefined);
  watchdog.stdin!.on('error', () => undefined);
  // Neither the process nor its pipe may keep the server alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
  watchdogs.set(pgid, watchdog);
  watchdog.once('exit', () => watchdogs.delete(pgid));
}

function releaseWatchdog(pgid: number): void {
  watchdogs.get(pgid)?.kill('SIGKILL');
  watchdogs.delete(pgid);
}

export interface GroupExit {
  code: number | null;
  signal: string | null;
}

export interface RunningGroup {
  child: ChildProcess;
  pgid: number;
  /** Resolves when the leader exits. */
  exited: Promise<GroupExit>;
  /** The last lines of stderr (and stdout), for error messages. */
  stderrTail(): string[];
  stdoutTail(): string[];
}

/** Spawns `command args`; rejects with a clear message when the program cannot be started. */
export async function spawnGroup(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunningGroup> {
  const child = spawn(command, args, { cwd, env, detached: true, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = tail();
  const stdout = tail();
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  const exited = new Promise<GroupExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new Error(`command not found: ${command} (is it installed and on PATH?)`));
      else if (error.code === 'EACCES') reject(new Error(`command not executable: ${command}`));
      else reject(new Error(`cannot start ${command}: ${error.message}`));
    });
  });
  watchGroup(child.pid!);
  return { child, pgid: child.pid!, exited, stderrTail: stderr.lines, stdoutTail: stdout.lines };
}

/** True while any process of the group exists (zombies included: they are reaped by init, not us). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!groupAlive(pgid)) return true;
    await sleep(25);
  }
  return !groupAlive(pgid);
}

/**
 * Stops every process of the group: graceful signals first (so profiles are written), SIGKILL
 * when `graceMs` is over. With `graceful: false` (cancel) it goes straight to SIGKILL.
 */
export async function stopGroup(
  pgid: number,
  { graceful = true, graceMs = 5000, requestStop }: { graceful?: boolean; graceMs?: number; requestStop?: () => Promise<void> } = {},
): Promise<void> {
  if (!groupAlive(pgid)) return releaseWatchdog(pgid);
  if (graceful) {
    await requestStop?.().catch(() => undefined);
    signalGroup(pgid, 'SIGINT');
    if (await waitGone(pgid, Math.min(2000, graceMs))) return releaseWatchdog(pgid);
    signalGroup(pgid, 'SIGTERM');
    if (await waitGone(pgid, Math.max(0, graceMs - 2000))) return releaseWatchdog(pgid);
  }
  signalGroup(pgid, 'SIGKILL');
  await waitGone(pgid, 2000);
  releaseWatchdog(pgid);
}

/** Keeps the last lines of a stream without holding all of it. */
function tail(): { push(chunk: Buffer): void; lines(): string[] } {
  let text = '';
  return {
    push(chunk) {
      text = (text + chunk.toString('utf8')).slice(-16_384);
    },
    lines: () =>
      text
        .split('\n')
        .map((l) => l.trimEnd())
        // Node prints this when the preload's stop watcher is still attached at exit; it is ours, not the target's.
        .filter((l) => l && l !== 'Waiting for the debugger to disconnect...')
        .slice(-TAIL_LINES),
  };
}
