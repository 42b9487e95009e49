/**
 * The warm helper's side (see warm.ts): listens on the socket, answers each hook request with
 * the same `runPostEdit` the in-process path runs, and exits after `idleMinutes` without a
 * request, when another helper took its socket over, or when its memory grows past a bound.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pidFileOf, type WarmAnswer, type WarmRequest } from './warm.js';

export interface WarmServerOptions {
  idleMinutes: number;
  env?: NodeJS.ProcessEnv;
}

/** A long-lived linter must not become the machine's biggest process. */
const MAX_RSS_BYTES = 1.5 * 1024 ** 3;
const CHECK_EVERY_MS = 30_000;

export async function serveWarm(socket: string, options: WarmServerOptions): Promise<void> {
  if (await someoneListens(socket)) return;
  try {
    unlinkSync(socket); // a stale file from a helper that died
  } catch {
    // none
  }
  mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
  const env = options.env ?? process.env;
  const { runPostEdit } = await import('./post-edit.js');

  let lastRequest = Date.now();
  let busy = 0;
  // Half-open: the client ends its side after the request and still reads the answer.
  const server = net.createServer({ allowHalfOpen: true }, (connection) => {
    busy++;
    lastRequest = Date.now();
    let data = '';
    connection.setEncoding('utf8');
    connection.on('data', (chunk: string) => (data += chunk));
    connection.on('error', () => undefined);
    connection.on('end', () => {
      void answer(data)
        .catch((error: unknown): WarmAnswer => ({ stdout: '', stderr: `perf-hunter hook: skipped (${error instanceof Error ? error.message : String(error)})\n` }))
        .then((reply) => {
          connection.end(JSON.stringify(reply));
          busy--;
          lastRequest = Date.now();
        });
    });
  });

  async function answer(text: string): Promise<WarmAnswer> {
    let request: WarmRequest;
    try {
      request = JSON.parse(text) as WarmRequest;
      if (typeof request.stdin !== 'string') throw new Error('no stdin');
    } catch {
      return { stdout: '', stderr: 'perf-hunter hook: the warm helper got a request it cannot read\n' };
    }
    const outcome = await runPostEdit(request.stdin, { env, cwd: typeof request.cwd === 'string' ? request.cwd : undefined });
    return { stdout: outcome.stdout, stderr: outcome.stderr };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  // Only this user may ask: the socket runs a linter over any path it is sent.
  chmodSync(socket, 0o600);
  const ownInode = statSync(socket).ino;
  writeFileSync(pidFileOf(socket), `${process.pid}\n`);
  rmSync(`${socket}.starting`, { force: true });

  const stop = () => {
    server.close();
    // Only our own files: a newer helper may have taken the name.
    try {
      if (statSync(socket).ino === ownInode) unlinkSync(socket);
    } catch {
      // already gone
    }
    try {
      if (readFileSync(pidFileOf(socket), 'utf8').trim() === String(process.pid)) unlinkSync(pidFileOf(socket));
    } catch {
      // already gone
    }
    process.exit(0);
  };
  const idleMs = options.idleMinutes * 60_000;
  setInterval(() => {
    let replaced = false;
    try {
      replaced = statSync(socket).ino !== ownInode;
    } catch {
      replaced = true;
    }
    const idle = busy === 0 && Date.now() - lastRequest >= idleMs;
    if (replaced || idle || (busy === 0 && process.memoryUsage().rss > MAX_RSS_BYTES)) stop();
  }, Math.min(CHECK_EVERY_MS, Math.max(1000, idleMs / 2)));
  process.on('SIGTERM', stop);
  stopOtherBuilds(socket);

  await warmUp(runPostEdit, env);
}

/** Lints a throwaway TypeScript and Python file once, so the first real edit finds every engine loaded. */
async function warmUp(runPostEdit: (stdin: string, options: { env: NodeJS.ProcessEnv }) => Promise<unknown>, env: NodeJS.ProcessEnv): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-warm-'));
  try {
    // A fresh comment each time: a content-hash lint cache must not answer for the engine.
    const samples: Record<string, string> = {
      'warm.ts': `// ${randomUUID()}\nexport async function all(ids: number[]) {\n  for (const id of ids) await fetch(String(id));\n}\n`,
      'warm.py': `# ${randomUUID()}\nimport time\nasync def handler():\n    time.sleep(1)\n`,
    };
    for (const [name, text] of Object.entries(samples)) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      await runPostEdit(JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Write', tool_input: { file_path: file }, cwd: dir }), { env });
    }
  } catch {
    // A failed warm-up only means the first request is slower.
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Helpers of another perf-hunter build in the same folder will never be asked again (the socket
 * name carries the build): stop them now rather than after their idle minutes. A pid is only
 * signalled when that process is still a warm helper, so a recycled pid is left alone.
 */
function stopOtherBuilds(socket: string): void {
  const dir = path.dirname(socket);
  const build = /^hook-([0-9a-f]+)-/.exec(path.basename(socket))?.[1];
  if (!build) return;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const other = /^hook-([0-9a-f]+)-[0-9a-f]+\.sock\.pid$/.exec(name);
    if (!other || other[1] === build) continue;
    try {
      const pid = Number(readFileSync(path.join(dir, name), 'utf8').trim());
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (pid !== process.pid && cmdline.includes('warm-main.js')) process.kill(pid, 'SIGTERM');
    } catch {
      // gone already, or not ours to judge (no /proc): it idles out
    }
  }
}

function someoneListens(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createConnection(socket);
    probe.on('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.on('error', () => resolve(false));
  });
}
