/** Fake servers in their own processes (fixtures/loadtest/server.mjs), started and stopped per test file. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/loadtest');

export interface FakeServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** Requests the server has received so far. */
  requests(): Promise<number>;
  stop(): Promise<void>;
}

export async function startServer(mode: 'fast' | 'wait' | 'pause' | 'stall' | 'errors', arg?: number): Promise<FakeServer> {
  const child = spawn(process.execPath, [path.join(fixtures, 'server.mjs'), mode, String(arg ?? 0)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`fake server ${mode} did not start`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`fake server exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    port,
    child,
    requests: async () => ((await (await fetch(`${url}__stats`)).json()) as { requests: number }).requests,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
