/**
 * `perf-hunter serve`: the MCP server. stdio by default (what Claude Code and Claude Desktop
 * launch); `--http` serves Streamable HTTP on loopback. The token comes from PERF_HUNTER_TOKEN,
 * never a flag, so it does not show up in `ps` or shell history.
 */
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { skillDirsFrom, withSkillDirs, type SkillDirOptions } from '../shared.js';

interface ServeFlags extends SkillDirOptions {
  http?: boolean;
  port?: string;
  host?: string;
  allowedOrigin?: string[];
  builtin?: boolean;
}

const DEFAULT_PORT = 3917;

export function register(program: Command): void {
  withSkillDirs(
    program
      .command('serve')
      .description('run the MCP server: stdio by default, Streamable HTTP on 127.0.0.1 with --http')
      .option('--http', 'serve Streamable HTTP instead of stdio (token from $PERF_HUNTER_TOKEN, if set)')
      .option('--port <n>', `HTTP port; 0 picks a free one (default ${DEFAULT_PORT})`)
      .option('--host <host>', 'HTTP address to bind (default 127.0.0.1)')
      .option('--allowed-origin <origin>', 'HTTP: a browser Origin to accept besides loopback ones (repeatable)', collect)
      .option('--no-builtin', 'do not load the built-in Performance Hunter skill'),
  ).action(async (flags: ServeFlags) => {
    if (!flags.http && (flags.port !== undefined || flags.host !== undefined || flags.allowedOrigin)) {
      throw new CliError('--port, --host and --allowed-origin only apply with --http');
    }
    const port = flags.port === undefined ? DEFAULT_PORT : parsePort(flags.port);
    const start = await import('../../server/start.js');
    // Resolved when the skills load, after `initialize` is answered: the loader stays out of cold start.
    const base = { skillDirs: () => skillDirsFrom(flags), includeBuiltin: flags.builtin !== false };
    if (!flags.http) {
      await start.serveStdio(base);
      return;
    }
    const token = process.env.PERF_HUNTER_TOKEN || undefined;
    const handle = await start
      .serveHttp({ ...base, port, host: flags.host, token, allowedOrigins: flags.allowedOrigin ?? [] })
      .catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new CliError(`port ${port} is in use; pick another with --port (0 picks a free one)`);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError(`cannot bind ${flags.host}: not an address of this machine`);
        throw error;
      });
    // Tests and scripts read this line to find the port when --port 0 was given.
    process.stderr.write(`perf-hunter: serving MCP over Streamable HTTP at ${handle.url}${token ? ' (bearer token required)' : ''}\n`);
    const stop = () => void handle.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new CliError(`--port must be a whole number from 0 to 65535, got "${text}"`);
  return port;
}
