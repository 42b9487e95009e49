/**
 * HTTPS load through the BUILT CLI. The target is checked by address (a name is resolved once and
 * the load goes to that address), so TLS must still be told the host's name: the certificate here
 * is valid for `localhost` only, not for 127.0.0.1, and is trusted through NODE_EXTRA_CA_CERTS.
 * Without the name, undici's certificate check fails, and autocannon (which does not check
 * certificates) sends no SNI, so a name-routed TLS front end could not serve it: the server here
 * records the SNI of each request.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadTestReport } from '../../src/loadtest/schema.js';
import { cleanEnv, cliPath, requireBuild } from '../server/built-server.js';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(tmpdir(), 'perf-hunter-https-'));
const certFile = path.join(tmp, 'cert.pem');
const keyFile = path.join(tmp, 'key.pem');
let server: https.Server;
let port = 0;
let served = 0;
/** The TLS server name (SNI) each request arrived with: what a name-based TLS front end routes by. */
const serverNames = new Set<string>();

beforeAll(async () => {
  requireBuild();
  const made = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost', '-keyout', keyFile, '-out', certFile,
  ], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
    served++;
    serverNames.add(String((req.socket as import('node:tls').TLSSocket).servername));
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

async function loadJson(args: string[]): Promise<LoadTestReport> {
  const env = { ...cleanEnv(), NODE_EXTRA_CA_CERTS: certFile };
  const { stdout } = await run(process.execPath, [cliPath, 'load-test', `https://localhost:${port}/`, ...args, '--json'], { env, timeout: 30_000 }).catch(
    (error: { stdout: string }) => ({ stdout: error.stdout }),
  );
  return LoadTestReport.parse(JSON.parse(stdout));
}

describe('load-test over HTTPS to a named loopback host', () => {
  it.each([
    ['closed model (autocannon)', ['-a', '40', '-c', '2']],
    ['open model (undici)', ['-R', '40', '-d', '1', '-c', '2']],
  ])('%s: every request carries the host name (SNI) and passes the certificate check', async (_model, args) => {
    const before = served;
    serverNames.clear();
    const report = await loadJson(args);
    expect(report.errors).toBe(0);
    expect(report.statusCodes['200']).toBeGreaterThanOrEqual(30);
    expect(report.requests.total).toBeGreaterThanOrEqual(30);
    expect(served - before).toBeGreaterThanOrEqual(30);
    expect([...serverNames]).toEqual(['localhost']);
  }, 40_000);
});
