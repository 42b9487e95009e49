/**
 * `perf-hunter load-test URL`: the same `runLoadTest` as the MCP `load_test` tool. Flags follow
 * autocannon's where they overlap. Prints the readable report, or with --json exactly the tool's
 * structuredContent (which a later run takes as --baseline). Ctrl-C once stops the load and
 * reports what was measured; twice abandons the run. Exit codes: 0 pass, 1 failed SLO or a
 * significant regression against the baseline, 2 bad input or a refused target, 130 aborted.
 */
import type { Command } from 'commander';
import { CliError, ExitCode } from '../errors.js';
import { numberFlag, printJson } from '../shared.js';

interface LoadTestFlags {
  connections?: string;
  duration?: string;
  amount?: string;
  pipelining?: string;
  rate?: string;
  headers?: string[];
  method?: string;
  body?: string;
  workers?: string;
  warmup?: string;
  timeout?: string;
  slo?: string;
  baseline?: string;
  rounds?: string;
  json?: boolean;
  out?: string;
  exportK6?: string;
  allowHost?: string[];
  start?: boolean;
  readyPattern?: string;
  readyTimeout?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command): void {
  program
    .command('load-test')
    .description('drive HTTP load at a URL (loopback by default) and give a verdict: requests/s, true tail latency, SLO pass/fail, before/after')
    .argument('<url>', 'target URL, e.g. http://127.0.0.1:3000/')
    .argument('[command...]', 'with --start: the server to run, after --, e.g. -- node server.js --port 3000')
    .option('-c, --connections <n>', 'concurrent connections (default 10, at most 1000)')
    .option('-d, --duration <s>', 'seconds of measured load (default 10, at most 300)')
    .option('-a, --amount <n>', 'stop after this many requests instead')
    .option('-p, --pipelining <n>', 'requests in flight per connection (default 1)')
    .option('-R, --rate <n>', 'constant arrival rate in requests/s (open model: a true tail, timed from the scheduled send)')
    .option('-H, --headers <K=V>', 'request header, "K=V" or "K: V" (repeatable)', collect)
    .option('-m, --method <method>', 'HTTP method (default GET)')
    .option('-b, --body <body>', 'request body')
    .option('-w, --workers <n>', 'closed model: generator worker threads, to use more cores')
    .option('--warmup <s>', 'seconds of load before measuring (not counted)')
    .option('--timeout <s>', 'per-request timeout in seconds (default 10)')
    .option('--slo <spec>', 'objectives, e.g. "p99=200ms,p50=50ms,errors=0.1%,rps>=500"; exit 1 when not met')
    .option('--baseline <file|url>', 'compare with a saved --json report, or with a second URL run in alternation (A B A B)')
    .option('--rounds <n>', 'with a baseline URL: rounds per side (default 5)')
    .option('--json', 'print the report as JSON (the MCP tool\'s structuredContent)')
    .option('--out <dir>', 'write report.json and latency.svg into this folder')
    .option('--export-k6 <file>', 'also write the same scenario as a k6 script')
    .option('--start', 'start the server given after -- first (runtime probe preloaded: queries per request, runtime N+1), stop it at the end')
    .option('--ready-pattern <regex>', 'with --start: wait for an output line matching this before the load (then for the port)')
    .option('--ready-timeout <s>', 'with --start: seconds the server may take to get ready (default 60)')
    .option('--allow-host <host>', 'also allow this host, IP or CIDR as a target (repeatable; also $PERF_HUNTER_ALLOW_HOSTS)', collect)
    .action(async (url: string, command: string[], flags: LoadTestFlags) => {
      if (flags.start && command.length === 0) throw new CliError('--start needs the server command after --, e.g. -- node server.js');
      if (!flags.start && command.length > 0) throw new CliError(`unexpected arguments "${command.join(' ')}": to start a server first, add --start`);
      if (!flags.start && (flags.readyPattern !== undefined || flags.readyTimeout !== undefined)) throw new CliError('--ready-pattern and --ready-timeout only apply with --start');
      const input = {
        url,
        ...(flags.connections !== undefined ? { connections: numberFlag('--connections', flags.connections) } : {}),
        ...(flags.duration !== undefined ? { durationSeconds: numberFlag('--duration', flags.duration) } : {}),
        ...(flags.amount !== undefined ? { amount: numberFlag('--amount', flags.amount) } : {}),
        ...(flags.pipelining !== undefined ? { pipelining: numberFlag('--pipelining', flags.pipelining) } : {}),
        ...(flags.rate !== undefined ? { rate: numberFlag('--rate', flags.rate) } : {}),
        ...(flags.headers !== undefined ? { headers: parseHeaders(flags.headers) } : {}),
        ...(flags.method !== undefined ? { method: flags.method } : {}),
        ...(flags.body !== undefined ? { body: flags.body } : {}),
        ...(flags.workers !== undefined ? { workers: numberFlag('--workers', flags.workers) } : {}),
        ...(flags.warmup !== undefined ? { warmupSeconds: numberFlag('--warmup', flags.warmup) } : {}),
        ...(flags.timeout !== undefined ? { timeoutSeconds: numberFlag('--timeout', flags.timeout) } : {}),
        ...(flags.slo !== undefined ? { slo: flags.slo } : {}),
        ...(flags.baseline !== undefined ? { baseline: /^https?:\/\//i.test(flags.baseline) ? { url: flags.baseline } : { file: flags.baseline } } : {}),
        ...(flags.rounds !== undefined ? { rounds: numberFlag('--rounds', flags.rounds) } : {}),
        ...(flags.out !== undefined ? { outDir: flags.out } : {}),
        ...(flags.allowHost !== undefined ? { allowHosts: flags.allowHost } : {}),
        ...(flags.start
          ? {
              start: {
                command: command[0]!,
                args: command.slice(1),
                ...(flags.readyPattern !== undefined ? { readyPattern: flags.readyPattern } : {}),
                ...(flags.readyTimeout !== undefined ? { readyTimeoutSeconds: numberFlag('--ready-timeout', flags.readyTimeout) } : {}),
              },
            }
          : {}),
      };
      const [{ runLoadTest }, { LoadTestError, LoadTestCancelledError }, { formatLoadTestText }] = await Promise.all([
        import('../../loadtest/run.js'),
        import('../../loadtest/schema.js'),
        import('../../loadtest/format.js'),
      ]);

      const stop = new AbortController();
      const cancel = new AbortController();
      const onInterrupt = (): void => {
        if (!stop.signal.aborted) {
          process.stderr.write('\nperf-hunter: stopping the load and reporting (Ctrl-C again to abort)\n');
          stop.abort();
        } else cancel.abort();
      };
      const onTerminate = (): void => cancel.abort();
      process.on('SIGINT', onInterrupt);
      process.on('SIGTERM', onTerminate);
      // A live line on a terminal only: pipes and CI logs get the report and nothing else.
      const live = process.stderr.isTTY && !flags.json;
      try {
        if (flags.exportK6 !== undefined) {
          const [{ k6ScriptFor }, { writeFile }] = await Promise.all([import('../../loadtest/k6.js'), import('node:fs/promises')]);
          await writeFile(flags.exportK6, await k6ScriptFor(input));
          if (!flags.json) process.stderr.write(`perf-hunter: wrote the k6 scenario to ${flags.exportK6}\n`);
        }
        const report = await runLoadTest(input, {
          cwd: process.cwd(),
          // The command line names its own server: the working directory is the root.
          roots: [process.cwd()],
          stop: stop.signal,
          signal: cancel.signal,
          ...(live
            ? { onProgress: (p: { elapsedSeconds: number; totalSeconds: number; message: string }) => process.stderr.write(`\r\x1b[2K${p.elapsedSeconds}/${p.totalSeconds} s  ${p.message}`) }
            : {}),
        });
        if (live) process.stderr.write('\r\x1b[2K');
        if (flags.json) printJson(report);
        else process.stdout.write(formatLoadTestText(report));
        if (!report.pass) process.exitCode = ExitCode.findings;
      } catch (error) {
        if (error instanceof LoadTestCancelledError) throw new CliError(error.message, 130);
        if (error instanceof LoadTestError) throw new CliError(error.message);
        throw error;
      } finally {
        process.off('SIGINT', onInterrupt);
        process.off('SIGTERM', onTerminate);
      }
    });
}


/** `K=V` (autocannon's form) or `K: V` (curl's). */
function parseHeaders(values: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const match = /^([^:=\s]+)\s*(?::|=)\s*(.*)$/.exec(value);
    if (!match) throw new CliError(`-H/--headers wants "Name=value" or "Name: value", got "${value}"`);
    headers[match[1]!] = match[2]!;
  }
  return headers;
}
