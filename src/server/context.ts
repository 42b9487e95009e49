/**
 * What every tool, resource and prompt handler shares. The catalog is a lazily started promise:
 * the server answers `initialize` before any YAML is read, and handlers await the catalog.
 */
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { SkillCatalog } from '../skills/catalog.js';
import type { LoadSkillsOptions } from '../skills/load.js';

export interface ServerContext {
  /** Resolves to the loaded skills; the first call starts the load, later calls share it. */
  catalog: () => Promise<SkillCatalog>;
  /**
   * Diagnostics; stderr by default, because stdout is the protocol on stdio. Inside a server,
   * `createServer` also forwards them to the client as MCP log messages at `level` (default info).
   */
  log: (message: string, level?: LoggingLevel) => void;
  /** Where relative `lint` paths resolve, and an allowed root when the client declares none. Default: process.cwd(). */
  cwd?: string;
  /** Folders the server was started with (skill dirs); allowed `lint` roots when the client declares none. */
  extraRoots?: () => Promise<string[]>;
}

export function logToStderr(message: string): void {
  process.stderr.write(`perf-hunter: ${message}\n`);
}

/** Skill folders, or a function that resolves them later (keeps even the loader module out of cold start). */
export type SkillDirs = string[] | (() => Promise<string[]>);

/** A context whose catalog loads once, on first use (or when `warm` is called after start-up). */
export function createContext(
  load: Omit<LoadSkillsOptions, 'dirs'> & { dirs: SkillDirs },
  log: (message: string) => void = logToStderr,
): ServerContext & { warm(): void } {
  let pending: Promise<SkillCatalog> | undefined;
  const catalog = (): Promise<SkillCatalog> => {
    pending ??= (async () => {
      const [{ SkillCatalog }, dirs] = await Promise.all([
        import('../skills/catalog.js'),
        typeof load.dirs === 'function' ? load.dirs() : load.dirs,
      ]);
      return SkillCatalog.load({ ...load, dirs });
    })();
    return pending;
  };
  let dirs: Promise<string[]> | undefined;
  const extraRoots = (): Promise<string[]> => (dirs ??= Promise.resolve(typeof load.dirs === 'function' ? load.dirs() : load.dirs));
  return {
    catalog,
    log,
    cwd: process.cwd(),
    extraRoots,
    warm() {
      if (pending) return; // already loading or loaded: report once, not once per session
      catalog().then(
        (c) => {
          const errors = c.problems.filter((p) => p.severity === 'error').length;
          log(`loaded ${c.skills.length} skill(s)${c.problems.length ? `, ${c.problems.length} problem(s) (${errors} error(s)); read skill://problems` : ''}`);
        },
        (error: unknown) => log(`could not load skills: ${error instanceof Error ? error.message : String(error)}`),
      );
    },
  };
}
