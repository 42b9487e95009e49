// Small helpers shared by the benchmarks: spawning, timing, statistics.
import { spawn } from 'node:child_process';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round(value, digits = 1) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Milliseconds from spawning `command args` to the answer of an MCP `initialize` request on
 * stdout: what a client waits for before it can use the server.
 */
export function timeToInitialize(command, args, { timeoutMs = 20_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')}: no initialize answer in ${timeoutMs} ms`));
    }, timeoutMs);
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      if (!buffer.includes('\n')) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(ms);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } },
    };
    child.stdin.write(`${JSON.stringify(initialize)}\n`);
  });
}
