/**
 * Helpers for tests that drive the BUILT server as a child process (`npm run build` first;
 * `npm test` does it). Nothing here mocks the server: it is `node dist/cli/main.js serve`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cliPath = path.join(repoRoot, 'dist/cli/main.js');
export const extraSkillsDir = path.join(repoRoot, 'test/fixtures/server/extra');

/** Fails with the fix instead of a confusing spawn error when dist/ is missing. */
export function requireBuild(): void {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` before these tests (npm test does)`);
}

/** An environment without the caller's PERF_HUNTER_* settings, so a developer's shell cannot change results. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PERF_HUNTER_')) env[k] = v;
  return { ...env, ...extra };
}

export interface HttpServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `serve --http --port 0` and waits for the URL line it prints on stderr. */
export async function startHttpServer(args: string[] = [], env: Record<string, string> = {}): Promise<HttpServerProcess> {
  requireBuild();
  const child = spawn(process.execPath, [cliPath, 'serve', '--http', '--port', '0', ...args], {
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL on stderr within 15 s: ${stderr}`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /serving MCP over Streamable HTTP at (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
