/**
 * `runLint`: the one lint run behind `perf-hunter validate` and the MCP `lint` tool. It picks the
 * rules (YAML `ast` validations bound to registered detectors, so a skill's message, severity, fix,
 * sharp edge and options apply; registered detectors no YAML mentions run with their defaults),
 * walks the paths inside the allowed roots, lints file by file and answers with one `LintReport`
 * page plus totals over the whole run. Nothing here imports MCP or the CLI; bad input throws a
 * `LintInputError` whose message says what to pass instead.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import picomatch from 'picomatch';
import type { Skill, Validation } from '../skills/model.js';
import type { AnyDetector } from './define.js';
import { detectors as registry } from './detectors/index.js';
import { configureDetector, configureFromValidation, languageOf, type ConfiguredDetector } from './engine/core.js';
import { lintFile, mayReport, type FileResult } from './engine/index.js';
import { LintPool, MAX_BATCH, WORKERS_FROM } from './pool.js';
import {
  type Finding,
  type FindingSeverity,
  type LintError,
  LintInput,
  type LintLanguage,
  type LintReport,
  MAX_FILE_BYTES,
  type RuleInfo,
  SEVERITY_RANK,
} from './schema.js';
import { changedFiles, confinePath, emptySkips, inShard, LintInputError, parseShard, realRoots, walkPaths, type WalkedFile } from './walk.js';
import { findConfig, LintConfigError, loadConfig, mergeOptions, type LoadedConfig } from './config.js';
import { buildRegexRules, RegexScanner, type RegexRule } from './regex/rules.js';
import { applySuppressions } from './suppress.js';
import { recorder, statOrUndefined } from './replay/stamps.js';
import { countReused, knownKey, rememberKey } from './known-files.js';
import { globMatcher, globOf, type PathGlob } from './globs.js';
import { codeFingerprint, defaultCacheLocation, hashOf, LintCache, type CachedResult, type CacheOptions, type CacheStats } from './cache.js';
import { existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

export { LintInputError };

export interface LintProgress {
  done: number;
  total: number;
  file?: string;
}

export interface RunLintOptions {
  /** Relative paths resolve here, and findings are shown relative to it. */
  cwd: string;
  /** Paths must lie inside one of these (after resolving symlinks). Default: `[cwd]`. */
  roots?: readonly string[];
  /** Loaded skills; their runnable `ast` validations configure the detectors. Built-in defaults when absent. */
  skills?: readonly Skill[];
  /** Every finding in one answer (the CLI); `limit` and `cursor` page otherwise. */
  all?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: LintProgress) => void;
  /** A `.perf-hunter.yaml` to use, `false` for none; found from `cwd` upwards when absent. */
  config?: string | false;
  /** Time budget per file and regex rule for patterns RE2 cannot run (default 200 ms). */
  regexBudgetMs?: number;
  /**
   * The content-hash cache of path runs (inline `code` never uses it): `false` for none; default
   * the folder from the environment (see cache.ts), off when PERF_HUNTER_NO_CACHE is set.
   */
  cache?: false | CacheOptions;
  /** The detectors' text pre-filter (default on; off only to show it loses nothing). */
  prefilter?: boolean;
}

/** Every rule of a run: detector rules and regex rules, both filtered and configured alike. */
interface RuleSet {
  ast: Rule[];
  regex: RegexRule[];
}

/** A rule ready to run on the files its validation applies to. */
interface Rule {
  configured: ConfiguredDetector;
  info: RuleInfo;
  /** From YAML `languages` (`javascript` counts as TypeScript's parser). */
  languages?: ReadonlySet<LintLanguage>;
  /** From YAML `applies_to`. */
  appliesTo?: (file: string) => boolean;
  /** The globs behind `appliesTo`, for the cache key. */
  globs?: readonly string[];
}

export async function runLint(rawInput: LintInput, options: RunLintOptions): Promise<LintReport> {
  const started = performance.now();
  const parsed = LintInput.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LintInputError(`${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
  }
  const input = parsed.data;
  if ((input.paths === undefined) === (input.code === undefined)) {
    throw new LintInputError('pass either paths (files or folders to lint) or code (with filename), not both and not neither');
  }
  if (input.code !== undefined && (input.changed !== undefined || input.shard !== undefined)) {
    throw new LintInputError('changed and shard select files among paths: leave them out with code');
  }
  if (input.filename !== undefined && input.code === undefined) {
    throw new LintInputError('filename goes with code: pass code too, or lint the file by paths');
  }

  const errors: LintError[] = [];
  const { config, key: configKey } = await configFor(options);
  const skills = options.skills ?? NO_SKILLS;
  const built = rulesFor(skills, config, configKey);
  errors.push(...built.errors);
  const selected = selectRules(built.configured, input.rules);
  const rules = selected.ast;
  const known = built.known;
  const run: FileRun = { rules: selected, known, scanner: new RegexScanner(options.regexBudgetMs), suppressed: 0, skills, hints: hintsFor(skills), prefilter: options.prefilter !== false, prefiltered: 0 };
  const offset = decodeCursor(input.cursor, cursorKey(input));

  const skippedBy = emptySkips();
  const findings: Finding[] = [];
  let scanned = 0;
  let cacheStats: CacheStats | undefined;
  let workers: number | undefined;
  try {
  if (input.code !== undefined) {
    const filename = input.filename ?? 'snippet.ts';
    if (!languageOf(filename)) {
      throw new LintInputError(`filename ${filename} has no lintable extension: use .ts .tsx .mts .cts .js .jsx .mjs .cjs or .py`);
    }
    scanned = 1;
    const file = { code: input.code, filename };
    const result = await finishFile(file, await parseInProcess(file, relevantRules(file, run), run), run);
    await addHandoffHints(result.findings, run);
    findings.push(...result.findings);
    errors.push(...result.errors);
    run.suppressed += result.suppressed;
    if (result.prefiltered) run.prefiltered++;
    options.onProgress?.({ done: 1, total: 1, file: filename });
  } else {
    const roots = await realRoots(options.roots ?? [options.cwd], options.cwd);
    const confined: string[] = [];
    const pathGlobs: { glob: PathGlob; realBase: string }[] = [];
    for (const given of input.paths ?? []) {
      const glob = globOf(given, options.cwd);
      if (glob && !existsSync(glob.base)) throw new LintInputError(`no file matches ${given}: its folder ${glob.base} does not exist`);
      if (glob) pathGlobs.push({ glob, realBase: await confinePath(glob.base, options.cwd, roots) });
      else confined.push(await confinePath(given, options.cwd, roots));
    }
    // Regex rules with `applies_to` globs also read the text files they name (configs, Dockerfiles, SQL).
    const globbed = selected.regex.filter((r) => r.appliesTo);
    const alsoText = globbed.length > 0 ? (display: string) => globbed.some((r) => r.appliesTo!(display)) : undefined;
    const walked = await walkPaths(confined, options.cwd, roots, options.signal, alsoText);
    addSkips(skippedBy, walked.skippedBy);
    const byPath = new Map(walked.files.map((f) => [f.absolute, f]));
    for (const { glob, realBase } of pathGlobs) {
      const under = await walkPaths([realBase], options.cwd, roots, options.signal, alsoText);
      addSkips(skippedBy, under.skippedBy);
      const matches = globMatcher(glob, realBase);
      const matched = under.files.filter((f) => matches(f.absolute));
      // As ESLint does: a glob that matches nothing is more likely a typo than a clean tree.
      if (matched.length === 0) throw new LintInputError(`no lintable file matches ${glob.given}; check the glob (quote it so the shell does not expand it)`);
      for (const f of matched) byPath.set(f.absolute, f);
    }
    const listed = pathGlobs.length === 0 ? walked.files : [...byPath.values()].sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
    let files = config ? dropIgnored(listed, config, skippedBy) : listed;
    if (input.changed !== undefined) {
      const changed = await changedFiles(options.cwd, input.changed === true ? undefined : input.changed);
      files = files.filter((f) => changed.has(f.absolute));
    }
    if (input.shard !== undefined) {
      const shard = parseShard(input.shard);
      files = files.filter((f) => inShard(f.display, shard));
    }
    const cache = openCache(options.cache, selected, known, run.skills);
    const outcomes: (FileOutcome | undefined)[] = new Array(files.length);
    let done = 0;
    const finished = (index: number, file: WalkedFile, outcome: FileOutcome | undefined): void => {
      outcomes[index] = outcome;
      done++;
      // Worker answers still draining after a cancellation report no progress.
      if (!options.signal?.aborted) options.onProgress?.({ done, total: files.length, file: file.display });
    };
    const scheduler = new ParseScheduler(run, options.signal);
    try {
      for (let from = 0; from < files.length; from += READ_AHEAD) {
        // Between chunks of synchronous reads, let the server answer and a cancellation arrive.
        if (from > 0) await new Promise((resolve) => setImmediate(resolve));
        const chunk = files.slice(from, from + READ_AHEAD);
        const sources = chunk.map((file) => recallOrRead(file, cache, skippedBy, errors));
        for (const [i, file] of chunk.entries()) {
          options.signal?.throwIfAborted();
          const index = from + i;
          const source = sources[i];
          if (source === undefined) {
            finished(index, file, undefined);
            continue;
          }
          scanned++;
          if ('recalled' in source) {
            finished(index, file, { ...source.recalled, errors: [] });
            continue;
          }
          const { code, stats } = source;
          const key = cache ? LintCache.keyOf(file.display, code) : '';
          if (cache) rememberKey(file.absolute, file.display, stats, key);
          const hit = cache?.get(key);
          if (hit) {
            finished(index, file, { ...hit, errors: [] });
            continue;
          }
          await scheduler.submit({ code, filename: file.display }, async (outcome) => {
            await addHandoffHints(outcome.findings, run);
            // A file with errors (a parse failure, a regex over its time budget) is linted again next time.
            if (cache && outcome.errors.length === 0) cache.set(key, outcome);
            finished(index, file, outcome);
          });
        }
      }
      await scheduler.drain();
    } finally {
      await scheduler.close();
    }
    options.signal?.throwIfAborted();
    for (const outcome of outcomes) {
      if (!outcome) continue;
      findings.push(...outcome.findings);
      errors.push(...outcome.errors);
      run.suppressed += outcome.suppressed;
      if (outcome.prefiltered) run.prefiltered++;
    }
    if (scheduler.workers > 0) workers = scheduler.workers;
    cacheStats = cache?.save();
  }
  } finally {
    await run.scanner.close();
  }

  const floor = input.severity ? SEVERITY_RANK[input.severity] : 0;
  const kept = findings.filter((f) => SEVERITY_RANK[f.severity] >= floor);
  const page = options.all ? kept : kept.slice(offset, offset + input.limit);
  const end = offset + page.length;
  const byRule: Record<string, number> = {};
  const bySeverity: Record<FindingSeverity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of kept) {
    byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    bySeverity[f.severity]++;
  }
  const skipped = Object.values(skippedBy).reduce((a, b) => a + b, 0);
  return {
    findings: page,
    total: kept.length,
    returned: page.length,
    ...(!options.all && end < kept.length ? { nextCursor: encodeCursor(end, cursorKey(input)) } : {}),
    totals: { byRule, bySeverity },
    files: { scanned, skipped, skippedBy, withFindings: new Set(kept.map((f) => f.file)).size },
    errors,
    rules: [...rules.map((r) => r.configured.ruleId), ...selected.regex.map((r) => r.ruleId)],
    ruleInfo: [...rules.map((r) => r.info), ...selected.regex.map((r) => r.info)],
    suppressed: run.suppressed,
    ...(config ? { config: config.file } : {}),
    stats: {
      files: scanned,
      ms: Math.round((performance.now() - started) * 10) / 10,
      prefiltered: run.prefiltered,
      ...(workers ? { workers } : {}),
      ...(cacheStats ? { cache: { hits: cacheStats.hits, misses: cacheStats.misses, evictions: cacheStats.evictions, location: path.dirname(cacheStats.file) } } : {}),
    },
  };
}

/**
 * A file this process read before and whose stamp still holds (see known-files.ts) is answered by
 * the cache without being opened; any other is read.
 */
function recallOrRead(
  file: WalkedFile,
  cache: LintCache | undefined,
  skippedBy: Record<string, number>,
  errors: LintError[],
): { recalled: CachedResult } | { code: string; stats: Stats } | undefined {
  const known = cache ? knownKey(file.absolute, file.display, () => statOrUndefined(file.absolute)) : undefined;
  const recalled = known && cache?.has(known.key) ? cache.get(known.key) : undefined;
  if (known && recalled) {
    recorder.file(file.absolute, known.stats);
    countReused();
    return { recalled };
  }
  return readSource(file, skippedBy, errors);
}

/**
 * Reads a walked file, or counts why it is skipped (too large, binary) or records why it could not
 * be read. Synchronous on purpose: measured 4-5x faster than fs.promises for many small files (no
 * thread-pool round trip per open, fstat, read and close); callers yield between chunks.
 */
function readSource(file: WalkedFile, skippedBy: Record<string, number>, errors: LintError[]): { code: string; stats: Stats } | undefined {
  try {
    const stats = statSync(file.absolute);
    if (stats.size > MAX_FILE_BYTES) {
      recorder.file(file.absolute, stats);
      skippedBy.tooLarge = (skippedBy.tooLarge ?? 0) + 1;
      return undefined;
    }
    const bytes = readFileSync(file.absolute);
    recorder.file(file.absolute, stats, bytes);
    // Git's test: a NUL byte in the first 8000 bytes means binary.
    if (bytes.subarray(0, 8000).includes(0)) {
      skippedBy.binary = (skippedBy.binary ?? 0) + 1;
      return undefined;
    }
    return { code: bytes.toString('utf8'), stats };
  } catch (error) {
    errors.push({ file: file.display, message: `cannot read: ${error instanceof Error ? error.message : String(error)}` });
    return undefined;
  }
}

/** What every file of a run shares. */
interface FileRun {
  rules: RuleSet;
  /** Rule ids a suppression may name (every rule of the skills, also those `rules`/config left out). */
  known: ReadonlySet<string>;
  scanner: RegexScanner;
  suppressed: number;
  /** For handoff hints, added per file before caching (so cached findings carry them). */
  skills: readonly Skill[];
  /** Hints by rule id and line text, shared by the runs with the same skills. */
  hints: Map<string, Finding['handoff']>;
  prefilter: boolean;
  /** Files the pre-filter kept from the parser. */
  prefiltered: number;
}

interface FileOutcome {
  findings: Finding[];
  errors: LintError[];
  suppressed: number;
  /** AST rules applied but the pre-filter showed none could report: never parsed. */
  prefiltered?: boolean;
}

/** What parsing gave: the detectors' findings, or why the file could not be parsed. */
type Parsed = { result: FileResult; prefiltered: boolean } | { failed: string };

/**
 * Indexes of the AST rules that apply to a file (language, `applies_to`) and may report in its
 * text (the pre-filter); empty when the file need not be parsed. `undefined`: no AST rule applies.
 */
function relevantRules(file: { code: string; filename: string }, run: FileRun): number[] | undefined {
  const language = languageOf(file.filename);
  if (!language) return undefined; // a text file a regex rule's glob asked for
  const applicable: number[] = [];
  run.rules.ast.forEach((r, i) => {
    if ((!language || !r.languages || r.languages.has(language)) && (!r.appliesTo || r.appliesTo(file.filename))) applicable.push(i);
  });
  if (applicable.length === 0) return undefined;
  if (!run.prefilter) return applicable;
  const seen = new Map<string, boolean>();
  return applicable.filter((i) => {
    const configured = run.rules.ast[i]!.configured;
    return configured.detector.visit[language] !== undefined && mayReport(configured, language, file.code, seen);
  });
}

async function parseInProcess(file: { code: string; filename: string }, relevant: number[] | undefined, run: FileRun): Promise<Parsed | undefined> {
  if (relevant === undefined) return undefined;
  if (relevant.length === 0) return { result: { findings: [], errors: [] }, prefiltered: true };
  try {
    return { result: await lintFile(file, relevant.map((i) => run.rules.ast[i]!.configured), { prefilter: false }), prefiltered: false };
  } catch (error) {
    return { failed: error instanceof Error ? error.message : String(error) };
  }
}

/** Regex rules over the file, then its suppressions over every finding. */
async function finishFile(file: { code: string; filename: string }, parsed: Parsed | undefined, run: FileRun): Promise<FileOutcome> {
  const own: Finding[] = [];
  const errors: LintError[] = [];
  if (parsed && 'failed' in parsed) {
    errors.push({ file: file.filename, message: `cannot lint: ${parsed.failed}` });
  } else {
    if (parsed) {
      own.push(...parsed.result.findings);
      errors.push(...parsed.result.errors);
    }
    try {
      // A file of no lintable language came for a glob: only rules with globs read it.
      const regex = languageOf(file.filename) ? run.rules.regex : run.rules.regex.filter((r) => r.appliesTo);
      if (regex.length > 0) own.push(...(await run.scanner.scan(file, regex, errors)));
    } catch (error) {
      errors.push({ file: file.filename, message: `cannot lint: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  const { kept, suppressed, unknown } = applySuppressions(file.code, file.filename, own, (id) => run.known.has(id));
  const findings = [...kept, ...unknown].sort((a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
  return { findings, errors, suppressed, ...(parsed && 'prefiltered' in parsed && parsed.prefiltered ? { prefiltered: true } : {}) };
}

/**
 * Languages whose parsing goes to worker threads. Measured on 2 cores: TypeScript gained nothing
 * from a second thread (V8's garbage collector already uses the second core, and each worker pays
 * the ~0.7 s compiler import again) while tree-sitter Python parsing did; TS/JS files are parsed in
 * this thread, alongside the workers' Python.
 */
const POOLED_LANGUAGES: ReadonlySet<LintLanguage> = new Set(process.env.PERF_HUNTER_LINT_POOLED === 'all' ? ['python', 'typescript'] : ['python']);

/**
 * Parses in-process until a run has WORKERS_FROM Python files to parse, then hands their parsing
 * to a worker pool (see pool.ts). Everything after parsing (regex rules, suppressions, the caller's `then`)
 * runs one file at a time in this thread, in the order parses finish.
 */
class ParseScheduler {
  private held: { file: { code: string; filename: string }; relevant: number[]; then: (o: FileOutcome) => Promise<void> }[] = [];
  private mode: 'undecided' | 'in-process' | 'pool' = 'undecided';
  private pool: LintPool | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private serial: Promise<void> = Promise.resolve();
  workers = 0;

  constructor(private readonly run: FileRun, private readonly signal: AbortSignal | undefined) {}

  async submit(file: { code: string; filename: string }, then: (outcome: FileOutcome) => Promise<void>): Promise<void> {
    const relevant = relevantRules(file, this.run);
    const language = languageOf(file.filename);
    if (relevant === undefined || relevant.length === 0 || !language || !POOLED_LANGUAGES.has(language)) {
      // Nothing to parse, or a language parsed here: finish in turn with the others.
      await this.finish(file, await parseInProcess(file, relevant, this.run), then);
      return;
    }
    if (this.mode === 'undecided') {
      this.held.push({ file, relevant, then });
      // Halfway there: load what a pool needs while the run reads on.
      if (this.held.length === WORKERS_FROM / 2) void LintPool.prepare();
      if (this.held.length < WORKERS_FROM) return;
      this.pool = await LintPool.open(this.run.rules.ast.map((r) => r.configured));
      // Cancelling ends every thread at once (a parse in progress can only be stopped that way).
      this.signal?.addEventListener('abort', () => void this.pool?.destroy(), { once: true });
      this.mode = this.pool ? 'pool' : 'in-process';
      this.workers = this.pool?.workers ?? 0;
      const held = this.held;
      this.held = [];
      for (const job of held) await this.dispatch(job.file, job.relevant, job.then);
      return;
    }
    await this.dispatch(file, relevant, then);
  }

  /** Parses what is held (a small run never reached the pool) and waits for every file. */
  async drain(): Promise<void> {
    const held = this.held;
    this.held = [];
    this.mode = this.mode === 'undecided' ? 'in-process' : this.mode;
    for (const job of held) await this.dispatch(job.file, job.relevant, job.then);
    // This thread parses what is still queued rather than wait for the workers.
    while (this.pool && !this.signal?.aborted && (await this.pool.helpWith()));
    await Promise.all(this.inflight);
    await this.serial;
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }

  private async dispatch(file: { code: string; filename: string }, relevant: number[], then: (o: FileOutcome) => Promise<void>): Promise<void> {
    this.signal?.throwIfAborted();
    if (!this.pool) {
      await this.finish(file, await parseInProcess(file, relevant, this.run), then);
      return;
    }
    const task = this.pool
      .parse({ code: file.code, filename: file.filename, rules: relevant })
      .then(
        (result): Parsed => ({ result, prefiltered: false }),
        (error: unknown): Parsed => ({ failed: error instanceof Error ? error.message : String(error) }),
      )
      .then((parsed) => (this.signal?.aborted ? undefined : this.finish(file, parsed, then)));
    const tracked: Promise<void> = task.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
    // Enough queued to keep every thread busy (and this one during the workers' start-up); more
    // would only hold file texts in memory. Rather than wait, this thread parses a queued file,
    // while the queue holds more than the workers' next few batches: this thread has its own work
    // too (reading, regex rules), so it only takes the surplus.
    while (this.inflight.size >= Math.max(64, this.pool.threads * 8) && !this.signal?.aborted) {
      if (!(await this.pool.helpWith(this.pool.workers * MAX_BATCH * 2))) await Promise.race(this.inflight);
    }
  }

  private finish(file: { code: string; filename: string }, parsed: Parsed | undefined, then: (o: FileOutcome) => Promise<void>): Promise<void> {
    this.serial = this.serial.then(async () => then(await finishFile(file, parsed, this.run)));
    return this.serial;
  }
}

/** Files read between two yields to the event loop. */
const READ_AHEAD = 32;

/** The cache of this rule set, or undefined when caching is off. */
function openCache(option: RunLintOptions['cache'], rules: RuleSet, known: ReadonlySet<string>, skills: readonly Skill[]): LintCache | undefined {
  if (option === false) return undefined;
  const location = option?.location ?? defaultCacheLocation();
  if (location === undefined) return undefined;
  return LintCache.open(location, ruleSetKey(rules, known, skills, option?.version ?? packageVersion()), option?.maxEntries !== undefined ? { maxEntries: option.maxEntries } : {});
}

/**
 * Everything besides a file's path and text that shapes its result: each rule as configured
 * (options, severity, message, fix, globs, patterns), the ids a suppression may name, the
 * version and the linter's own code. Handoff hints and the severity floor are applied after
 * the cache, so they are not part of it.
 */
function ruleSetKey(rules: RuleSet, known: ReadonlySet<string>, skills: readonly Skill[], version: string): string {
  return hashOf({
    // Handoff hints read the skills' triggers and collaboration; cached findings carry the hints.
    skills: hintsApply(skills) ? hashOf(skills.map((s) => [s.id, s.version, s.origin, s.description, s.triggers, s.owns, s.tags, s.collaboration])) : null,
    version,
    code: codeFingerprint(),
    ast: rules.ast.map((r) => {
      const { detector, ...configured } = r.configured;
      return { detector: detector.id, configured, languages: r.languages ? [...r.languages] : null, globs: r.globs ?? null };
    }),
    regex: rules.regex.map((r) => ({
      id: r.ruleId,
      severity: r.severity,
      message: r.message,
      fix: r.fix,
      sharpEdge: r.sharpEdge,
      patterns: r.patterns.map((p) => p.original),
      negatives: r.negatives.map((p) => p.original),
      globs: r.globs ?? null,
    })),
    known: [...known].sort(),
  });
}

let version: string | undefined;
function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}

/** The config the options name, or the nearest one; a broken config is an input error at file:line:col. */
async function configFor(options: RunLintOptions): Promise<{ config?: LoadedConfig; key: string }> {
  if (options.config === false) return { key: '-' };
  const file = options.config === undefined ? await findConfig(options.cwd) : path.resolve(options.cwd, options.config);
  if (file === undefined) return { key: '-' };
  const stat = await fs.stat(file).catch(() => undefined);
  const key = `${file}\0${stat?.size}\0${stat?.mtimeMs}`;
  const known = loadedConfigs.get(file);
  if (known?.key === key) return known;
  try {
    const loaded = { config: await loadConfig(file), key };
    loadedConfigs.set(file, loaded);
    return loaded;
  } catch (error) {
    if (error instanceof LintConfigError) throw new LintInputError(error.message);
    throw error;
  }
}

/*
 * A server lints file after file with the same skills and config: building the rules (options
 * parsed, pre-filters derived, regex patterns translated and compiled) is done once per skills
 * array and config version, not per call. Rule sets are never mutated after building.
 */
const NO_SKILLS: readonly Skill[] = [];
const loadedConfigs = new Map<string, { config: LoadedConfig; key: string }>();
const builtRules = new WeakMap<readonly Skill[], Map<string, BuiltRules>>();
const handoffHints = new WeakMap<readonly Skill[], Map<string, Finding['handoff']>>();
const MAX_REMEMBERED = 16;
const MAX_HINTS = 10_000;

interface BuiltRules {
  /** After the config's severities and `off`. */
  configured: RuleSet;
  /** Ids a suppression may name: every rule, also those the config turned off. */
  known: Set<string>;
  /** Problems found while building (broken options, patterns that cannot run), repeated in every report. */
  errors: LintError[];
}

function rulesFor(skills: readonly Skill[], config: LoadedConfig | undefined, configKey: string): BuiltRules {
  let byConfig = builtRules.get(skills);
  if (!byConfig) builtRules.set(skills, (byConfig = new Map()));
  const remembered = byConfig.get(configKey);
  if (remembered) return remembered;
  const errors: LintError[] = [];
  const ast = buildRules(skills, errors, config);
  const all: RuleSet = { ast, regex: buildRegexRules(skills, new Set(ast.map((r) => r.configured.ruleId)), errors) };
  const built: BuiltRules = { configured: applyConfig(all, config), known: knownIds(all), errors };
  if (byConfig.size >= MAX_REMEMBERED) byConfig.clear();
  byConfig.set(configKey, built);
  return built;
}

function hintsFor(skills: readonly Skill[]): Map<string, Finding['handoff']> {
  let hints = handoffHints.get(skills);
  if (!hints || hints.size > MAX_HINTS) handoffHints.set(skills, (hints = new Map()));
  return hints;
}

/** Severity overrides and `off` from the config's `rules`; an id no rule has is an input error at its place. */
function applyConfig(rules: RuleSet, config: LoadedConfig | undefined): RuleSet {
  if (!config) return rules;
  const settings = config.config.rules;
  const known = knownIds(rules);
  const unknown = Object.keys(settings).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new LintInputError(`${config.at(['rules', unknown[0]!])}: unknown rule ${unknown.join(', ')} in rules; known rules: ${[...known].join(', ')}`);
  }
  const settingOf = (...ids: string[]) => ids.map((id) => settings[id]).find((s) => s !== undefined);
  const ast = rules.ast.flatMap((r) => {
    const setting = settingOf(r.configured.ruleId, r.info.detector);
    if (setting === 'off') return [];
    if (setting) return [{ ...r, configured: { ...r.configured, severity: setting }, info: { ...r.info, severity: setting } }];
    return [r];
  });
  const regex = rules.regex.flatMap((r) => {
    const setting = settingOf(r.ruleId, r.validationId);
    if (setting === 'off') return [];
    if (setting) return [{ ...r, severity: setting, info: { ...r.info, severity: setting } }];
    return [r];
  });
  return { ast, regex };
}

function knownIds(rules: RuleSet): Set<string> {
  return new Set([
    ...rules.ast.flatMap((r) => [r.configured.ruleId, r.info.detector]),
    ...rules.regex.flatMap((r) => [r.ruleId, r.validationId]),
  ]);
}

/** The config's `ignore` globs, relative to the config's folder; dropped files count as ignored. */
function dropIgnored(files: readonly WalkedFile[], config: LoadedConfig, skippedBy: Record<string, number>): WalkedFile[] {
  if (config.config.ignore.length === 0) return [...files];
  const isIgnored = picomatch(config.config.ignore, { dot: true });
  return files.filter((file) => {
    const rel = path.relative(config.dir, file.absolute).split(path.sep).join('/');
    if (rel.startsWith('..') || !isIgnored(rel)) return true;
    skippedBy.ignored = (skippedBy.ignored ?? 0) + 1;
    return false;
  });
}

/**
 * Every rule to run: the runnable `ast` validations of the loaded skills whose detector is
 * registered (first skill wins an id), then every registered detector no validation covers.
 * A validation with broken options is reported and left out, never fatal.
 */
function buildRules(skills: readonly Skill[] | undefined, errors: LintError[], config?: LoadedConfig): Rule[] {
  const extra = config?.config.options ?? {};
  const strayOptions = Object.keys(extra).filter((id) => !registry.some((d) => d.id === id));
  if (config && strayOptions.length > 0) {
    throw new LintInputError(`${config.at(['options', strayOptions[0]!])}: options for unknown detector ${strayOptions.join(', ')}; detectors: ${registry.map((d) => d.id).join(', ')}`);
  }
  const byDetector = new Map(registry.map((d) => [d.id, d]));
  const rules: Rule[] = [];
  const seen = new Set<string>();
  const covered = new Set<string>();
  for (const skill of skills ?? []) {
    for (const validation of skill.validations) {
      if (validation.kind !== 'ast' || !validation.runnable || !validation.detector || seen.has(validation.id)) continue;
      const detector = byDetector.get(validation.detector);
      if (!detector) continue; // declared in YAML ahead of its implementation
      try {
        const configured = configureFromValidation({ ...validation, options: mergeOptions(validation.options, extra[detector.id]) }, detector);
        rules.push(ruleOf(configured, detector, skill, validation));
        seen.add(validation.id);
        covered.add(detector.id);
      } catch (error) {
        const at = validation.source ? `${validation.source.file}:${validation.source.line}:${validation.source.column}` : skill.origin.dir;
        errors.push({ file: at, message: `rule ${validation.id} not run: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  }
  for (const detector of registry) {
    if (covered.has(detector.id) || seen.has(detector.id)) continue;
    try {
      rules.push(ruleOf(configureDetector(detector, { options: extra[detector.id] }), detector));
    } catch (error) {
      const at = config ? config.at(['options', detector.id]) : detector.id;
      errors.push({ file: at, message: `rule ${detector.id} not run: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return rules;
}

function ruleOf(configured: ConfiguredDetector, detector: AnyDetector, skill?: Skill, validation?: Validation): Rule {
  const edge = skill?.sharpEdges.find((e) => e.id === configured.sharpEdge);
  const languages = validation?.languages.length
    ? new Set(validation.languages.flatMap((l): LintLanguage[] => (l === 'python' ? ['python'] : l === 'typescript' || l === 'javascript' ? ['typescript'] : [])))
    : undefined;
  const globs = validation?.appliesTo ?? [];
  const info: RuleInfo = {
    id: configured.ruleId,
    name: validation?.name || detector.id,
    detector: detector.id,
    severity: configured.severity,
    description: validation?.message || detector.docs.why,
    fix: configured.fix,
    sharpEdge: configured.sharpEdge,
    ...(edge ? { sharpEdgeSummary: edge.summary, situation: edge.situation, why: edge.why, solution: edge.solution } : {}),
    whenNotToUse: detector.docs.whenNotToUse,
    languages: detector.languages,
    family: detector.family,
    ...(skill ? { skill: skill.id } : {}),
  };
  return {
    configured,
    info,
    ...(languages ? { languages } : {}),
    ...(globs.length ? { appliesTo: picomatch(globs, { dot: true, matchBase: !globs.some((g) => g.includes('/')) }), globs } : {}),
  };
}

/**
 * Keeps the rules asked for by rule or detector id (a regex rule also by its unqualified
 * validation id, and all of them by `regex`); an unknown id is an input error naming the known ones.
 */
function selectRules(rules: RuleSet, wanted: readonly string[] | undefined): RuleSet {
  if (!wanted) return rules;
  const known = knownIds(rules);
  if (rules.regex.length > 0) known.add('regex');
  const unknown = wanted.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const ids = [...rules.ast.map((r) => r.configured.ruleId), ...rules.regex.map((r) => r.ruleId)];
    throw new LintInputError(`unknown rule ${unknown.join(', ')}; known rules: ${ids.join(', ')}`);
  }
  return {
    ast: rules.ast.filter((r) => wanted.includes(r.configured.ruleId) || wanted.includes(r.info.detector)),
    regex: rules.regex.filter((r) => wanted.includes(r.ruleId) || wanted.includes(r.validationId) || wanted.includes('regex')),
  };
}

/** Ties a cursor to the query, so a cursor from another query is refused instead of paging wrongly. */
function cursorKey(input: { paths?: string[]; code?: string; filename?: string; rules?: string[]; severity?: string; changed?: string | true; shard?: string }): string {
  const code = input.code === undefined ? undefined : createHash('sha256').update(input.code).digest('hex');
  const key = JSON.stringify([input.paths, code, input.filename, input.rules, input.severity, ...(input.changed !== undefined || input.shard !== undefined ? [input.changed, input.shard] : [])]);
  return createHash('sha256').update(key).digest('base64url').slice(0, 12);
}

function encodeCursor(offset: number, key: string): string {
  return Buffer.from(JSON.stringify({ o: offset, k: key })).toString('base64url');
}

function decodeCursor(cursor: string | undefined, key: string): number {
  if (cursor === undefined) return 0;
  try {
    const { o, k } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o: unknown; k: unknown };
    if (k === key && typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through to the error below
  }
  throw new LintInputError('cursor is not from a previous answer to this same input: repeat the input unchanged with its nextCursor, or leave cursor out to start over');
}

/**
 * A finding whose topic belongs to another skill (a per-item pgvector query is vector-specialist
 * work once batched) says so. The collaboration triggers of the loaded skills read the finding's
 * message and the offending line; a confident match there is more specific than the rule-wide
 * `handoff` of the YAML (which stays when nothing on the line points elsewhere). Memoised per
 * rule and line text, since a tree repeats the same offending line often.
 */
async function addHandoffHints(findings: Finding[], run: FileRun): Promise<void> {
  if (findings.length === 0 || !hintsApply(run.skills)) return;
  const { handoffHintFor } = await import('../handoff/run.js');
  for (const finding of findings) {
    const key = `${finding.ruleId}\0${finding.sourceLine.trim()}`;
    if (!run.hints.has(key)) run.hints.set(key, handoffHintFor(run.skills, `${finding.message}\n${finding.sourceLine.trim()}`));
    const hint = run.hints.get(key);
    if (hint) finding.handoff = hint;
  }
}

function hintsApply(skills: readonly Skill[]): boolean {
  return skills.some((s) => s.id === 'performance-hunter');
}

/** Adds one walk's skip counts to the run's. */
function addSkips(total: Record<string, number>, more: Record<string, number>): void {
  for (const [reason, count] of Object.entries(more)) total[reason] = (total[reason] ?? 0) + count;
}
