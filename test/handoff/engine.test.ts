/** The matcher's parts and runHandoff's inputs besides text: findings, profiles, limits, errors, the graph. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SkillCatalog } from '../../src/skills/catalog.js';
import { handoffHintFor, runHandoff } from '../../src/handoff/run.js';
import { HandoffInput, HandoffResult } from '../../src/handoff/schema.js';
import { expandTrigger } from '../../src/handoff/phrases.js';
import { keyOf, phraseKeys } from '../../src/handoff/text.js';
import { AnalysedText, matchTrigger } from '../../src/handoff/match.js';
import { CollaborationGraph, collaborationGraph } from '../../src/handoff/graph.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/handoff');
let own: SkillCatalog;
let all: SkillCatalog;

beforeAll(async () => {
  own = await SkillCatalog.load({ dirs: [] });
  all = await SkillCatalog.load({ dirs: [fixtures] });
});

describe('words', () => {
  it('folds word forms and synonyms into one key', () => {
    expect(new Set(['slow', 'slower', 'slowly', 'sluggish', 'laggy', 'latency', 'timeouts', 'faster'].map(keyOf))).toEqual(new Set(['slow']));
    expect(keyOf('queries')).toBe(keyOf('query'));
    expect(keyOf('db')).toBe(keyOf('databases'));
    expect(keyOf('embeddings')).toBe(keyOf('vector'));
    expect(keyOf('caching')).toBe(keyOf('cache'));
    expect(keyOf('consolidate')).toBe(keyOf('consolidation'));
    expect(keyOf('graph')).not.toBe(keyOf('graphql'));
  });

  it('reads durations and "times out" as slow, keeping the user\'s words', () => {
    const text = new AnalysedText('the lookup takes 2s and often times out');
    expect(text.occurrences('slow').map((t) => t.raw)).toEqual(['2s', 'times out']);
  });

  it('drops stop words from phrases', () => {
    expect(phraseKeys('vector search is slow')).toEqual(['vector', 'search', 'slow']);
  });
});

describe('triggers', () => {
  it('expands regex alternations, groups and optional parts into phrases', () => {
    expect(expandTrigger('orchestration|coordination')).toEqual(['orchestration', 'coordination']);
    expect(expandTrigger('slow (vector|graph) quer(y|ies)')).toEqual(['slow vector query', 'slow vector queries', 'slow graph query', 'slow graph queries']);
    expect(expandTrigger('ef_?search')).toEqual(['ef_search', 'efsearch']);
    expect(expandTrigger('decrypt(ion)? (is )?slow')).toContain('decryption slow');
    expect(expandTrigger('N+1')).toContain('N+1');
  });

  it('a broken regex still matches by its words', () => {
    expect(expandTrigger('slow (query')).toEqual(['slow query']);
    expect(matchTrigger(new AnalysedText('this query is slow'), 'slow (query')?.found).toEqual(['slow', 'query']);
  });

  it('matches phrases in any order with a few words between, but not across sentences or far apart', () => {
    const hit = matchTrigger(new AnalysedText('our vector search got really slow'), 'vector search is slow');
    expect(hit).toMatchObject({ exact: false, matched: ['vector', 'search', 'slow'] });
    expect(matchTrigger(new AnalysedText('vector search works. The checkout is slow.'), 'vector search is slow')).toBeUndefined();
    expect(matchTrigger(new AnalysedText('vector search on the old cluster that we retired last year is slow'), 'vector search is slow')).toBeUndefined();
  });

  it('an exact regex hit is worth more than a match by word forms', () => {
    const exact = runHandoff(own, { text: 'vector search is slow' }).handoffs[0]!;
    const fuzzy = runHandoff(own, { text: 'our vector lookups got slower' }).handoffs[0]!;
    expect(exact.skill).toBe('vector-specialist');
    expect(fuzzy.skill).toBe('vector-specialist');
    expect(exact.confidence).toBeGreaterThan(fuzzy.confidence);
  });
});

describe('runHandoff', () => {
  it('a loaded target adds its own vocabulary as evidence and raises confidence', () => {
    const text = 'qdrant semantic search is slow since the reindex';
    const alone = runHandoff(own, { text }).handoffs[0]!;
    const loaded = runHandoff(all, { text }).handoffs[0]!;
    expect(loaded).toMatchObject({ skill: 'vector-specialist', loaded: true, name: 'Vector Specialist' });
    expect(loaded.sources).toEqual(expect.arrayContaining(['delegation', 'skill-vocabulary']));
    expect(loaded.confidence).toBeGreaterThan(alone.confidence);
    expect(loaded.why).toMatch(/vector-specialist's own ground/);
  });

  it('returns the delegation pattern, context and receive of the entry', () => {
    const top = runHandoff(own, { text: 'kafka consumer lag is growing' }).handoffs[0]!;
    expect(top).toMatchObject({ skill: 'event-architect', pattern: 'review' });
    expect(top.context).toMatch(/partition count/);
    expect(top.receive).toMatch(/throughput/);
    expect(top.trigger).toMatch(/consumer lag/);
  });

  it('ranks several handoffs and honours limit', () => {
    const text = 'the HNSW lookup is slow and the Cypher expansion after it times out';
    const result = runHandoff(own, { text });
    expect(result.handoffs.map((h) => h.skill).sort()).toEqual(['graph-engineer', 'vector-specialist']);
    expect(result.handoffs[0]!.confidence).toBeGreaterThanOrEqual(result.handoffs[1]!.confidence);
    expect(runHandoff(own, { text, limit: 1 }).handoffs).toHaveLength(1);
  });

  it('a lint finding\'s handoff hint hands off and the finding goes into the context', () => {
    const result = runHandoff(own, {
      text: '',
      findings: [{ ruleId: 'leading-wildcard-like', message: 'LIKE with a leading wildcard scans the table', file: 'src/search.ts', line: 12, handoff: { skill: 'postgres-wizard', reason: 'choosing an index' } }],
    });
    expect(result.decision).toBe('handoff');
    expect(result.handoffs[0]).toMatchObject({ skill: 'postgres-wizard', sources: ['finding'], trigger: 'finding leading-wildcard-like' });
    expect(result.handoffs[0]!.context).toContain('leading-wildcard-like at src/search.ts:12');
  });

  it('a finding without a hint whose topic is another skill\'s hands off; one that is ours stays', () => {
    const vector = runHandoff(own, { findings: [{ ruleId: 'slow-pgvector', message: 'pgvector query without an HNSW index' }] });
    expect(vector.handoffs[0]?.skill).toBe('vector-specialist');
    expect(vector.handoffs[0]?.sources).toEqual(['finding']);
    const ours = runHandoff(own, { findings: [{ ruleId: 'n-plus-one', message: 'A query runs once per loop iteration', sharpEdge: 'n-plus-one-queries' }] });
    expect(ours.decision).toBe('stay');
  });

  it('a profile whose hotspots sit in another skill\'s library hands off (speed is implied)', () => {
    const result = runHandoff(all, {
      profile: {
        bottleneck: { sentence: '61% of the time is in the dependency neo4j-driver.' },
        topSelf: [{ function: 'Session.run', file: '/app/node_modules/neo4j-driver/lib/session.js', package: 'neo4j-driver' }],
      },
    });
    expect(result.decision).toBe('handoff');
    expect(result.handoffs[0]).toMatchObject({ skill: 'graph-engineer', sources: ['profile'] });
    expect(result.handoffs[0]!.context).toContain('Profile: 61% of the time is in the dependency neo4j-driver.');
  });

  it('says so when there is nothing', () => {
    const result = runHandoff(own, { text: 'please rename the variable foo to bar' });
    expect(result).toMatchObject({ decision: 'none', handoffs: [] });
    expect(result.summary).toMatch(/^Nothing to hand off/);
  });

  it('input needs text, findings or a profile; unknown from is a clear error', () => {
    expect(HandoffInput.safeParse({ text: '  ' }).success).toBe(false);
    expect(HandoffInput.safeParse({ text: 'x', limit: 0 }).error?.issues[0]?.message).toBe('limit must be at least 1');
    expect(() => runHandoff(own, { text: 'slow', from: 'nobody' })).toThrow(/skill "nobody" is not loaded/);
  });

  it('another loaded skill can be the one handing off', () => {
    const result = runHandoff(all, { text: 'our search latency doubled', from: 'vector-specialist' });
    expect(result.from).toBe('vector-specialist');
    expect(result.handoffs[0]).toMatchObject({ skill: 'performance-hunter', pattern: 'review', loaded: true });
  });

  it('every answer validates against the exported schema', () => {
    for (const text of ['slow', 'cypher', 'causal inference', 'hello']) HandoffResult.parse(runHandoff(all, { text }));
  });
});

describe('handoffHintFor', () => {
  it('names the skill a finding or profile topic belongs to, with a reason', () => {
    expect(handoffHintFor(own, 'slow pgvector query in recommendations')).toMatchObject({ skill: 'vector-specialist', reason: expect.stringContaining('pgvector') });
    expect(handoffHintFor(own.skills, 'EXPLAIN ANALYZE shows a seq scan')?.skill).toBe('postgres-wizard');
    expect(handoffHintFor(own, 'A query runs once per loop iteration')).toBeUndefined();
    expect(handoffHintFor(own, '')).toBeUndefined();
  });
});

describe('collaboration graph', () => {
  it('has loaded skills and named-but-missing ones as nodes, and typed edges', () => {
    const graph = CollaborationGraph.parse(collaborationGraph(all.skills));
    const node = (id: string) => graph.nodes.find((n) => n.id === id);
    expect(node('performance-hunter')).toMatchObject({ loaded: true, name: 'Performance Hunter' });
    expect(node('vector-specialist')?.loaded).toBe(true);
    const ownOnly = collaborationGraph(own.skills);
    expect(ownOnly.nodes.find((n) => n.id === 'vector-specialist')).toEqual({ id: 'vector-specialist', loaded: false });
    expect(graph.edges).toContainEqual(expect.objectContaining({ from: 'performance-hunter', to: 'postgres-wizard', kind: 'delegation', pattern: 'sequential' }));
    expect(graph.edges).toContainEqual(expect.objectContaining({ from: 'event-architect', to: 'temporal-craftsman', kind: 'delegation', trigger: 'durable workflow|saga' }));
    expect(graph.edges).toContainEqual(expect.objectContaining({ from: 'performance-hunter', to: 'ml-memory', kind: 'defers-to' }));
    for (const e of graph.edges) expect(graph.nodes.some((n) => n.id === e.to)).toBe(true);
  });
});
