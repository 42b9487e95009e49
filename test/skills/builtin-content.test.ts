/**
 * The built-in Performance Hunter skill is content, and content rots silently: a renamed
 * validation leaves a sharp edge pointing at nothing, a regex stops compiling, an example
 * stops parsing. This suite reads the four YAML files as they ship and checks the rules the
 * rest of perf-hunter relies on.
 *
 * Each check returns its problems as strings, so one run lists all of them. Each check is
 * also run against a deliberately broken copy, which proves it can fail.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import picomatch from 'picomatch';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { Language, Parser } from 'web-tree-sitter';
import { parse } from 'yaml';
import { z } from 'zod';

const repoRoot = new URL('../..', import.meta.url);
const FILES = {
  skill: 'skills/performance-hunter/skill.yaml',
  collaboration: 'skills/performance-hunter/collaboration.yaml',
  edges: 'sharp-edges/performance-hunter.yaml',
  validations: 'validations/performance-hunter.yaml',
} as const;

// ------------------------------------------------------------------ what the seed requires
const OWNS = [
  'profiling', 'caching-strategies', 'latency-optimization', 'database-tuning',
  'async-patterns', 'memory-profiling', 'load-testing',
];
const PAIRS_WITH = [
  'vector-specialist', 'graph-engineer', 'temporal-craftsman', 'event-architect', 'ml-memory',
  'privacy-guardian',
];
const PATTERN_IDS = [
  'profiled-optimization', 'multi-level-caching', 'batched-database-operations', 'connection-pooling',
];
const EDGE_IDS = [
  'async-not-parallel', 'n-plus-one-queries', 'cache-thundering-herd', 'connection-pool-exhaustion',
  'p99-hidden-by-average', 're-embedding-same-text',
];
const NOT_COVERED = ['memory hierarchy design', 'causal inference', 'privacy implementation'];
const MUST_DEFER_TO = ['ml-memory', 'vector-specialist', 'temporal-craftsman'];
const MUST_TRIGGER_ON = ['latency', 'p99', 'N+1', 'connection pool', 'profiling', 'flame graph', 'throughput'];
const LANGUAGES = ['typescript', 'javascript', 'python'];
// Every `applies_to` glob must select at least one of these, or it silently selects nothing.
const SAMPLE_PATHS = ['src/api/orders.ts', 'web/App.tsx', 'lib/db.js', 'lib/db.mjs', 'app/services/search.py', 'db/queries.sql'];

// Detector options are data the detectors read; these are the keys each one cannot do without.
const CallList = z.array(z.string().trim().min(1)).min(1);
const PerLanguage = z.looseObject({ javascript: CallList, python: CallList });
const Count = z.number().int().positive();
const AST_OPTIONS: Record<string, z.ZodType> = {
  'n-plus-one': z.looseObject({ db_calls: CallList, small_literal_max: Count }),
  'sync-io-in-async': z.looseObject({ blocking_calls: PerLanguage }),
  'no-timeout': z.looseObject({ http_calls: PerLanguage }),
  'connection-per-request': z.looseObject({ client_constructors: PerLanguage }),
  'cache-no-ttl': z.looseObject({ write_calls: CallList }),
  'cache-stampede': z.looseObject({ read_calls: CallList, write_calls: CallList }),
  'unbounded-fanout': z.looseObject({ fanout_calls: PerLanguage, limiters: CallList }),
  'sequential-await': z.looseObject({}),
  'connection-leak': z.looseObject({ acquire_calls: PerLanguage, release_calls: PerLanguage, min_pool_max: Count }),
  'uncached-embedding': z.looseObject({ embedding_calls: CallList }),
};
const AST_IDS = Object.keys(AST_OPTIONS);

// What a user writes -> the skill a delegation trigger must hand it to (first match wins).
const DELEGATION_CASES: [string, string][] = [
  ['Our vector search is slow since the collection passed 10M rows', 'vector-specialist'],
  ['should I raise ef_search on the HNSW index?', 'vector-specialist'],
  ['graph queries are slow on the recommendations page', 'graph-engineer'],
  ['workflow throughput dropped after the last Temporal worker deploy', 'temporal-craftsman'],
  ['consumer lag keeps growing on the orders topic', 'event-architect'],
  ['memory retrieval is slow for long-running agents', 'ml-memory'],
  ['is the encryption overhead what makes uploads slow?', 'privacy-guardian'],
  ['EXPLAIN ANALYZE shows a seq scan on orders', 'postgres-wizard'],
];

// ------------------------------------------------------------------ the files' shape
const Text = z.string().trim().min(1);
const Id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case');
const Severity = z.enum(['error', 'warning', 'info']);

const RawSkill = z.looseObject({
  id: z.literal('performance-hunter'),
  name: Text,
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  description: Text,
  owns: z.array(Id),
  pairs_with: z.array(Id),
  tags: z.array(Text).min(1),
  triggers: z.array(Text).min(1),
  identity: z.looseObject({
    role: Text,
    principles: z.array(Text),
    contrarian_insight: Text,
    does_not_cover: z.array(Text),
    defers_to: z.array(z.looseObject({ skill: Id, when: Text })),
  }),
  patterns: z.array(z.looseObject({
    id: Id,
    name: Text,
    description: Text,
    when: Text,
    examples: z.looseObject({ python: Text, typescript: Text }),
  })),
  anti_patterns: z.array(z.looseObject({ id: Id, name: Text, description: Text, why: Text, instead: Text })),
});
type RawSkill = z.infer<typeof RawSkill>;

const RawEdges = z.looseObject({
  sharp_edges: z.array(z.looseObject({
    id: Id,
    summary: Text,
    severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
    situation: Text,
    why: Text,
    solution: Text,
    symptoms: z.array(Text).min(2),
    detectors: z.array(Id).min(1),
  })),
});
type RawEdges = z.infer<typeof RawEdges>;

const RegexSource = z.union([Text, z.array(Text).min(1)]);
const RawValidations = z.looseObject({
  validations: z.array(z.discriminatedUnion('type', [
    z.looseObject({
      type: z.literal('ast'),
      id: Id,
      name: Text,
      detector: Id,
      languages: z.array(z.string()),
      severity: Severity,
      message: Text,
      fix_action: Text,
      sharp_edge: Id,
      options: z.record(z.string(), z.unknown()),
    }),
    z.looseObject({
      type: z.literal('regex'),
      id: Id,
      name: Text,
      pattern: RegexSource,
      negative_pattern: RegexSource.optional(),
      applies_to: z.array(Text).min(1),
      severity: Severity,
      message: Text,
      fix_action: Text,
      sharp_edge: Id.optional(),
      // Lines that must / must not be reported: the regexes' own test cases.
      examples: z.looseObject({ flagged: z.array(Text).min(1), ok: z.array(Text).min(1) }),
    }),
  ])),
});
type RawValidations = z.infer<typeof RawValidations>;

const RawCollaboration = z.looseObject({
  prerequisites: z.looseObject({ skills: z.array(Id), knowledge: z.array(Text).min(1) }),
  complementary_skills: z.array(z.looseObject({ skill: Id, relationship: Text, brings: Text })),
  delegation: z.array(z.looseObject({
    trigger: Text,
    delegate_to: Id,
    pattern: z.enum(['sequential', 'parallel', 'review']),
    context: Text,
    receive: Text,
  })),
});
type RawCollaboration = z.infer<typeof RawCollaboration>;

/** The four documents as parsed YAML, before any shape check (so broken copies can be built). */
interface Pack { skill: unknown; collaboration: unknown; edges: unknown; validations: unknown }

function loadPack(): Pack {
  const read = (rel: string): unknown => parse(readFileSync(new URL(rel, repoRoot), 'utf8'));
  return {
    skill: read(FILES.skill),
    collaboration: read(FILES.collaboration),
    edges: read(FILES.edges),
    validations: read(FILES.validations),
  };
}

/** Parses against a schema, turning every issue into a problem line; undefined if it failed. */
function shaped<S extends z.ZodType>(schema: S, value: unknown, file: string, problems: string[]): z.infer<S> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    problems.push(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return undefined;
}

function sameSet(label: string, actual: string[], expected: string[], problems: string[]): void {
  const missing = expected.filter((x) => !actual.includes(x));
  const extra = actual.filter((x) => !expected.includes(x));
  if (missing.length > 0 || extra.length > 0 || actual.length !== expected.length) {
    problems.push(`${label}: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}], count ${actual.length} (want ${expected.length})`);
  }
}

function duplicates(ids: string[]): string[] {
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}

const asList = (source: string | string[] | undefined): string[] =>
  source === undefined ? [] : Array.isArray(source) ? source : [source];

// ------------------------------------------------------------------ checks
function checkSkill(pack: Pack): string[] {
  const problems: string[] = [];
  const skill = shaped(RawSkill, pack.skill, FILES.skill, problems);
  if (!skill) return problems;
  const { identity } = skill;
  if (identity.principles.length !== 5) problems.push(`identity: ${identity.principles.length} principles, want 5`);
  const notCovered = identity.does_not_cover.map((s) => s.toLowerCase());
  for (const topic of NOT_COVERED) {
    if (!notCovered.includes(topic)) problems.push(`identity.does_not_cover: missing "${topic}"`);
  }
  const deferredTo = identity.defers_to.map((d) => d.skill);
  for (const id of MUST_DEFER_TO) {
    if (!deferredTo.includes(id)) problems.push(`identity.defers_to: missing ${id}`);
  }
  sameSet('owns', skill.owns, OWNS, problems);
  sameSet('pairs_with', skill.pairs_with, PAIRS_WITH, problems);
  sameSet('patterns', skill.patterns.map((p) => p.id), PATTERN_IDS, problems);
  if (skill.anti_patterns.length !== 5) problems.push(`anti_patterns: ${skill.anti_patterns.length}, want 5`);
  const triggers = skill.triggers.map((t) => t.toLowerCase());
  for (const phrase of MUST_TRIGGER_ON) {
    if (!triggers.includes(phrase.toLowerCase())) problems.push(`triggers: missing "${phrase}"`);
  }
  return problems;
}

function checkEdges(pack: Pack): string[] {
  const problems: string[] = [];
  const doc = shaped(RawEdges, pack.edges, FILES.edges, problems);
  if (!doc) return problems;
  sameSet('sharp_edges', doc.sharp_edges.map((e) => e.id), EDGE_IDS, problems);
  for (const edge of doc.sharp_edges) {
    // The seed gives every edge a code solution; we give it in both languages.
    for (const language of ['python', 'typescript']) {
      if (!edge.solution.includes('```' + language + '\n')) problems.push(`edge ${edge.id}: solution has no ${language} code block`);
    }
  }
  return problems;
}

/** A regex validation reports a line when a pattern matches and no negative pattern does. */
function regexFlags(patterns: RegExp[], negatives: RegExp[], line: string): boolean {
  return patterns.some((p) => p.test(line)) && !negatives.some((n) => n.test(line));
}

function compile(source: string, where: string, problems: string[]): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch (err) {
    problems.push(`${where}: does not compile as a JavaScript regex: ${(err as Error).message}`);
    return undefined;
  }
}

function checkValidations(pack: Pack): string[] {
  const problems: string[] = [];
  const doc = shaped(RawValidations, pack.validations, FILES.validations, problems);
  if (!doc) return problems;
  const { validations } = doc;
  for (const id of duplicates(validations.map((v) => v.id))) problems.push(`validation id ${id} is declared twice`);

  for (const id of AST_IDS) {
    const validation = validations.find((v) => v.id === id);
    if (!validation) {
      problems.push(`validation ${id}: missing`);
      continue;
    }
    if (validation.type !== 'ast') {
      problems.push(`validation ${id}: type ${validation.type}, want ast`);
      continue;
    }
    if (validation.detector !== id) problems.push(`validation ${id}: detector is ${validation.detector}, want ${id}`);
    sameSet(`validation ${id}: languages`, validation.languages, LANGUAGES, problems);
    shaped(AST_OPTIONS[id]!, validation.options, `${FILES.validations}: ${id}.options`, problems);
  }

  const regexes = validations.filter((v) => v.type === 'regex');
  if (regexes.length < 4 || regexes.length > 8) problems.push(`${regexes.length} regex validations, want 4 to 8`);
  for (const v of regexes) {
    for (const glob of v.applies_to) {
      if (!SAMPLE_PATHS.some((path) => picomatch(glob)(path))) problems.push(`validation ${v.id}: applies_to ${glob} matches no source file`);
    }
    const patterns = asList(v.pattern).map((p, i) => compile(p, `validation ${v.id}: pattern[${i}]`, problems));
    const negatives = asList(v.negative_pattern).map((p, i) => compile(p, `validation ${v.id}: negative_pattern[${i}]`, problems));
    if (patterns.includes(undefined) || negatives.includes(undefined)) continue;
    const [pos, neg] = [patterns as RegExp[], negatives as RegExp[]];
    for (const line of v.examples.flagged) {
      if (!regexFlags(pos, neg, line)) problems.push(`validation ${v.id}: flagged example is not reported: ${line}`);
    }
    for (const line of v.examples.ok) {
      if (regexFlags(pos, neg, line)) problems.push(`validation ${v.id}: ok example is reported: ${line}`);
    }
  }
  return problems;
}

function checkCrossReferences(pack: Pack): string[] {
  const problems: string[] = [];
  const skill = shaped(RawSkill, pack.skill, FILES.skill, problems);
  const edges = shaped(RawEdges, pack.edges, FILES.edges, problems);
  const validations = shaped(RawValidations, pack.validations, FILES.validations, problems);
  if (!skill || !edges || !validations) return problems;

  const edgeById = new Map(edges.sharp_edges.map((e) => [e.id, e]));
  const validationIds = new Set(validations.validations.map((v) => v.id));
  for (const edge of edges.sharp_edges) {
    for (const id of edge.detectors) {
      if (!validationIds.has(id)) problems.push(`edge ${edge.id}: detector ${id} is not a validation id`);
    }
  }
  for (const v of validations.validations) {
    if (v.sharp_edge === undefined) continue;
    const edge = edgeById.get(v.sharp_edge);
    if (!edge) problems.push(`validation ${v.id}: sharp_edge ${v.sharp_edge} is not an edge id`);
    else if (!edge.detectors.includes(v.id)) problems.push(`validation ${v.id} names edge ${edge.id}, but the edge does not list it in detectors`);
  }
  for (const id of AST_IDS) {
    if (!edges.sharp_edges.some((e) => e.detectors.includes(id))) problems.push(`validation ${id}: no sharp edge lists it`);
  }
  // `explain ID` resolves ids across every kind, so an id must not mean two things.
  const allIds = [
    ...skill.patterns.map((p) => p.id),
    ...skill.anti_patterns.map((a) => a.id),
    ...edges.sharp_edges.map((e) => e.id),
    ...validations.validations.map((v) => v.id),
  ];
  for (const id of duplicates(allIds)) problems.push(`id ${id} is used by more than one pattern, anti-pattern, edge or validation`);
  return problems;
}

function checkCollaboration(pack: Pack): string[] {
  const problems: string[] = [];
  const skill = shaped(RawSkill, pack.skill, FILES.skill, problems);
  const collaboration = shaped(RawCollaboration, pack.collaboration, FILES.collaboration, problems);
  if (!skill || !collaboration) return problems;

  const delegatedTo = collaboration.delegation.map((d) => d.delegate_to);
  for (const id of [...skill.pairs_with, 'postgres-wizard']) {
    if (!delegatedTo.includes(id)) problems.push(`delegation: nothing delegates to ${id}`);
  }
  const complementary = collaboration.complementary_skills.map((c) => c.skill);
  for (const id of [...skill.pairs_with, ...skill.identity.defers_to.map((d) => d.skill)]) {
    if (!complementary.includes(id)) problems.push(`complementary_skills: missing ${id}`);
  }
  const triggers = collaboration.delegation.map((d, i) => {
    try {
      return { regex: new RegExp(d.trigger, 'i'), to: d.delegate_to };
    } catch (err) {
      problems.push(`delegation[${i}].trigger does not compile: ${(err as Error).message}`);
      return undefined;
    }
  });
  for (const [said, expected] of DELEGATION_CASES) {
    const first = triggers.find((t) => t?.regex.test(said));
    if (first?.to !== expected) problems.push(`"${said}" is delegated to ${first?.to ?? 'nobody'}, want ${expected}`);
  }
  return problems;
}

// ------------------------------------------------------------------ code examples parse
interface CodeSample { where: string; language: string; code: string }

function codeSamples(pack: Pack): CodeSample[] {
  const skill = RawSkill.parse(pack.skill);
  const edges = RawEdges.parse(pack.edges);
  const samples: CodeSample[] = [];
  for (const p of skill.patterns) {
    samples.push({ where: `pattern ${p.id} (python)`, language: 'python', code: p.examples.python });
    samples.push({ where: `pattern ${p.id} (typescript)`, language: 'typescript', code: p.examples.typescript });
  }
  for (const e of edges.sharp_edges) {
    for (const [, language, code] of e.solution.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
      samples.push({ where: `edge ${e.id} (${language})`, language: language!, code: code! });
    }
  }
  return samples;
}

let python: Parser | undefined;
async function pythonParser(): Promise<Parser> {
  if (!python) {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-python/tree-sitter-python.wasm');
    python = new Parser();
    python.setLanguage(await Language.load(wasm));
  }
  return python;
}

/** Syntax only: examples use names (loadProfileFromDb, Order) a reader supplies. */
async function checkCodeParses(samples: CodeSample[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { where, language, code } of samples) {
    if (language === 'python') {
      const tree = (await pythonParser()).parse(code);
      if (!tree) throw new Error('tree-sitter returned no tree');
      if (tree.rootNode.hasError) {
        const bad = tree.rootNode.descendantsOfType('ERROR')[0];
        problems.push(`${where}: Python syntax error near line ${(bad?.startPosition.row ?? 0) + 1}`);
      }
      tree.delete();
    } else if (language === 'typescript') {
      const { diagnostics = [] } = ts.transpileModule(code, {
        fileName: 'example.ts',
        reportDiagnostics: true,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      for (const d of diagnostics) {
        const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
        problems.push(`${where}: TypeScript syntax error at line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
      }
    } else {
      problems.push(`${where}: unexpected code block language ${language}`);
    }
  }
  return problems;
}

// ------------------------------------------------------------------ the shipped pack
describe('the built-in Performance Hunter skill', () => {
  const pack = loadPack();

  it('skill.yaml has the identity, seven owned areas, four patterns and five anti-patterns', () => {
    expect(checkSkill(pack)).toEqual([]);
  });

  it('has the six sharp edges, each with a Python and a TypeScript solution', () => {
    expect(checkEdges(pack)).toEqual([]);
  });

  it('declares the ten AST validations with their options, and regexes that compile and match their examples', () => {
    expect(checkValidations(pack)).toEqual([]);
  });

  it('cross references resolve both ways and no id means two things', () => {
    expect(checkCrossReferences(pack)).toEqual([]);
  });

  it('delegates to all six pairs_with skills and postgres-wizard, on phrases users write', () => {
    expect(checkCollaboration(pack)).toEqual([]);
  });

  it('every code example parses', async () => {
    const samples = codeSamples(pack);
    // 4 patterns x 2 languages + 6 edges x 2 languages
    expect(samples).toHaveLength(20);
    expect(await checkCodeParses(samples)).toEqual([]);
  });
});

// ------------------------------------------------------------------ the checks can fail
describe('the content checks catch broken content', () => {
  /** A fresh copy of the shipped pack, changed by `edit` through typed views. */
  function broken(edit: (views: { skill: RawSkill; edges: RawEdges; validations: RawValidations; collaboration: RawCollaboration }) => void): Pack {
    const pack = structuredClone(loadPack());
    edit({
      skill: pack.skill as RawSkill,
      edges: pack.edges as RawEdges,
      validations: pack.validations as RawValidations,
      collaboration: pack.collaboration as RawCollaboration,
    });
    return pack;
  }
  const ast = (v: RawValidations, id: string) => v.validations.find((x) => x.id === id && x.type === 'ast') as Extract<RawValidations['validations'][number], { type: 'ast' }>;
  const firstRegex = (v: RawValidations) => v.validations.find((x) => x.type === 'regex') as Extract<RawValidations['validations'][number], { type: 'regex' }>;

  it('a missing principle, owned area, example or anti-pattern field', () => {
    expect(checkSkill(broken(({ skill }) => skill.identity.principles.pop()))).toEqual(['identity: 4 principles, want 5']);
    expect(checkSkill(broken(({ skill }) => skill.owns.pop()))).toEqual([expect.stringContaining('owns: missing [load-testing]')]);
    expect(checkSkill(broken(({ skill }) => {
      delete (skill.patterns[0]!.examples as Record<string, string>).typescript;
    }))).toEqual([expect.stringContaining('patterns.0.examples.typescript')]);
    expect(checkSkill(broken(({ skill }) => { skill.anti_patterns[2]!.instead = ' '; })))
      .toEqual([expect.stringContaining('anti_patterns.2.instead')]);
  });

  it('an edge without symptoms or a TypeScript solution', () => {
    expect(checkEdges(broken(({ edges }) => { edges.sharp_edges[0]!.symptoms = []; })))
      .toEqual([expect.stringContaining('sharp_edges.0.symptoms')]);
    expect(checkEdges(broken(({ edges }) => {
      const edge = edges.sharp_edges[1]!;
      edge.solution = edge.solution.replace('```typescript\n', '```ts\n');
    }))).toEqual([`edge ${EDGE_IDS[1]}: solution has no typescript code block`]);
  });

  it('an AST validation with the wrong detector or missing options, a regex that does not compile or misses its example', () => {
    expect(checkValidations(broken(({ validations }) => { ast(validations, 'n-plus-one').detector = 'n-plus-1'; })))
      .toEqual(['validation n-plus-one: detector is n-plus-1, want n-plus-one']);
    expect(checkValidations(broken(({ validations }) => { delete ast(validations, 'connection-leak').options.min_pool_max; })))
      .toEqual([expect.stringContaining('connection-leak.options: min_pool_max')]);
    expect(checkValidations(broken(({ validations }) => { firstRegex(validations).pattern = 'SELECT (\\*'; })))
      .toEqual([expect.stringContaining('does not compile')]);
    expect(checkValidations(broken(({ validations }) => { firstRegex(validations).examples.ok.push('SELECT * FROM t'); })))
      .toEqual([expect.stringContaining('ok example is reported: SELECT * FROM t')]);
    expect(checkValidations(broken(({ validations }) => { firstRegex(validations).applies_to = ['**/*.{ts,py']; })))
      .toEqual([expect.stringContaining('applies_to **/*.{ts,py matches no source file')]);
  });

  it('dangling references in either direction, and one id used twice', () => {
    expect(checkCrossReferences(broken(({ edges }) => { edges.sharp_edges[0]!.detectors.push('no-such-check'); })))
      .toEqual([`edge ${EDGE_IDS[0]}: detector no-such-check is not a validation id`]);
    expect(checkCrossReferences(broken(({ validations }) => { ast(validations, 'no-timeout').sharp_edge = 'p99'; })))
      .toEqual(['validation no-timeout: sharp_edge p99 is not an edge id']);
    expect(checkCrossReferences(broken(({ edges }) => {
      const edge = edges.sharp_edges.find((e) => e.detectors.includes('cache-stampede'))!;
      edge.detectors = edge.detectors.filter((d) => d !== 'cache-stampede');
    }))).toEqual([
      expect.stringContaining('validation cache-stampede names edge'),
      'validation cache-stampede: no sharp edge lists it',
    ]);
    expect(checkCrossReferences(broken(({ skill }) => { skill.anti_patterns[0]!.id = 'connection-pooling'; })))
      .toEqual([expect.stringContaining('id connection-pooling is used by more than one')]);
  });

  it('a skill nobody delegates to, and a trigger that does not compile', () => {
    expect(checkCollaboration(broken(({ collaboration }) => {
      collaboration.delegation = collaboration.delegation.filter((d) => d.delegate_to !== 'postgres-wizard');
    }))).toEqual([
      'delegation: nothing delegates to postgres-wizard',
      expect.stringContaining('is delegated to nobody, want postgres-wizard'),
    ]);
    expect(checkCollaboration(broken(({ collaboration }) => { collaboration.delegation[0]!.trigger = 'hnsw('; })))
      .toContainEqual(expect.stringContaining('delegation[0].trigger does not compile'));
  });

  it('code that does not parse', async () => {
    const problems = await checkCodeParses([
      { where: 'py', language: 'python', code: 'def f(:\n    return 1\n' },
      { where: 'ts', language: 'typescript', code: 'const x = ;\n' },
      { where: 'ok', language: 'python', code: 'def f():\n    return 1\n' },
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^py: Python syntax error near line 1$/),
      expect.stringMatching(/^ts: TypeScript syntax error at line 1: /),
    ]);
  });
});
