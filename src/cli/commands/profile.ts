/**
 * `perf-hunter profile [flags] -- COMMAND [ARGS...]`: the same `runProfile` as the MCP `profile`
 * tool; prints the readable report, or with --json exactly the tool's structuredContent.
 * Ctrl-C once stops the target gracefully and reports what was profiled; twice kills the whole
 * target tree and writes nothing. Exit codes: 0 done, 2 bad input or a target that failed, 130 aborted.
 */
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { numberFlag, printJson, skillDirsFrom, withSkillDirs, type SkillDirOptions } from '../shared.js';

interface ProfileFlags extends SkillDirOptions {
  json?: boolean;
  duration?: string;
  interval?: string;
  out?: string;
  heap?: boolean;
  heapTimeline?: boolean;
  top?: string;
  load?: string;
  connections?: string;
  loadDuration?: string;
}

export function register(program: Command): void {
  withSkillDirs(program
    .command('profile')
    .description('run a Node or Python program under the profiler and name its bottleneck (put the program after --)')
    .argument('<command>', 'the program: node, npx, npm, tsx, python3, ...')
    .argument('[args...]', 'its arguments')
    .option('--json', 'print the report as JSON (the MCP tool\'s structuredContent)')
    .option('--duration <s>', 'time limit in seconds; the target is then stopped gracefully (default 30)')
    .option('--interval <us>', 'CPU sampling interval in microseconds (default 1000)')
    .option('--out <dir>', 'output folder (default .perf-hunter/profiles/<timestamp>)')
    .option('--heap', 'sample allocations: top allocation sites with bytes and call paths')
    .option('--heap-timeline', 'sample heap size every 100 ms and say whether it keeps growing')
    .option('--top <n>', 'length of each top list (default 15)')
    .option('--load <url>', 'drive HTTP load (autocannon) at this loopback URL once the target listens; the run ends with the load')
    .option('--connections <n>', 'with --load: concurrent connections (default 10)')
    .option('--load-duration <s>', 'with --load: seconds of load (default 10)'))
    .action(async (command: string, args: string[], flags: ProfileFlags) => {
      const input = {
        command,
        args,
        ...(flags.duration !== undefined ? { durationSeconds: numberFlag('--duration', flags.duration) } : {}),
        ...(flags.interval !== undefined ? { intervalUs: numberFlag('--interval', flags.interval) } : {}),
        ...(flags.heap ? { kind: 'heap' as const } : {}),
        ...(flags.heapTimeline ? { heapTimeline: true } : {}),
        ...(flags.top !== undefined ? { top: numberFlag('--top', flags.top) } : {}),
        ...(flags.load !== undefined
          ? {
              load: {
                url: flags.load,
                ...(flags.connections !== undefined ? { connections: numberFlag('--connections', flags.connections) } : {}),
                ...(flags.loadDuration !== undefined ? { durationSeconds: numberFlag('--load-duration', flags.loadDuration) } : {}),
              },
            }
          : {}),
      };
      if (flags.load === undefined && (flags.connections !== undefined || flags.loadDuration !== undefined)) {
        throw new CliError('--connections and --load-duration only apply with --load');
      }
      // Signals first: a Ctrl-C while the engine and skills load must not kill us with the default handler.
      const stop = new AbortController();
      const cancel = new AbortController();
      const onInterrupt = (): void => {
        if (!stop.signal.aborted) {
          process.stderr.write('perf-hunter: stopping the target and writing the profile (Ctrl-C again to abort)\n');
          stop.abort();
        } else cancel.abort();
      };
      const onTerminate = (): void => cancel.abort();
      process.on('SIGINT', onInterrupt);
      process.on('SIGTERM', onTerminate);
      const [{ runProfile }, { ProfileError, ProfileCancelledError }, { formatProfileText }, { loadSkills }, dirs] = await Promise.all([
        import('../../profile/run.js'),
        import('../../profile/schema.js'),
        import('../../profile/format.js'),
        import('../../skills/load.js'),
        skillDirsFrom(flags),
      ]);
      // Skills only feed the handoff hint; their load problems are `skills check`'s business.
      const { skills } = await loadSkills({ dirs });
      if (cancel.signal.aborted || stop.signal.aborted) throw new CliError('interrupted before the target started', 130);
      if (!flags.json) process.stderr.write(`perf-hunter: profiling ${[command, ...args].join(' ')} (Ctrl-C stops it and reports)\n`);
      try {
        const report = await runProfile(input, {
          skills,
          cwd: process.cwd(),
          // The command line names its own target: the working directory is the root.
          roots: [process.cwd()],
          stop: stop.signal,
          signal: cancel.signal,
          ...(flags.out !== undefined ? { outDir: flags.out } : {}),
        });
        if (flags.json) printJson(report);
        else process.stdout.write(formatProfileText(report));
      } catch (error) {
        if (error instanceof ProfileCancelledError) throw new CliError(error.message, 130);
        if (error instanceof ProfileError) throw new CliError(error.message);
        throw error;
      } finally {
        process.off('SIGINT', onInterrupt);
        process.off('SIGTERM', onTerminate);
      }
    });
}
