import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { runProfile } from '../../src/profile/run.js';
import { fixtures, outDir } from './helpers.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('profile: under load', () => {
  it('drives a real local server and names its slow route as the top hotspot, with the load figures', async () => {
    const port = await freePort();
    const report = await runProfile(
      { command: process.execPath, args: ['slow-server.js', String(port)], cwd: fixtures, load: { url: `http://127.0.0.1:${port}/slow`, connections: 4, durationSeconds: 3 } },
      { cwd: fixtures, outDir: outDir() },
    );
    expect(report.stoppedBy).toBe('load-done');
    expect(report.topSelf[0]).toMatchObject({ function: 'slowRoute', file: 'slow-server.js' });
    expect(report.bottleneck.function).toBe('slowRoute');
    expect(report.load!.requests).toBeGreaterThan(20);
    expect(report.load!.requestsPerSecond).toBeGreaterThan(5);
    expect(report.load!.latencyMs.p50).toBeGreaterThan(0);
    expect(report.load!.latencyMs.p99).toBeGreaterThanOrEqual(report.load!.latencyMs.p50);
    expect(report.load!.non2xx).toBe(0);
  });

  it('refuses a non-loopback URL before starting anything', async () => {
    await expect(
      runProfile({ command: process.execPath, args: ['slow-server.js', '1'], cwd: fixtures, load: { url: 'http://example.com/' } }, { cwd: fixtures, outDir: outDir() }),
    ).rejects.toThrow(/must be on this machine/);
  });

  it('says when the server never opens its port, with its stderr', async () => {
    const port = await freePort();
    await expect(
      runProfile({ command: process.execPath, args: ['crash.js'], cwd: fixtures, load: { url: `http://127.0.0.1:${port}/` } }, { cwd: fixtures, outDir: outDir() }),
    ).rejects.toThrow(/exited \(code 3\) before opening.*cannot read config\.json/);
  });
});
