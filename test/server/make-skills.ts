/** Skills built in memory through the model's own schemas, so unit tests do not depend on the loader. */
import { Skill } from '../../src/skills/model.js';

const origin = (id: string) => ({ format: 'perf-hunter' as const, dir: `/virtual/${id}`, files: [`/virtual/${id}/skill.yaml`] });

export function performanceHunter(): Skill {
  return Skill.parse({
    id: 'performance-hunter',
    name: 'Performance Hunter',
    version: '1.0.0',
    description: 'Finds and fixes performance problems by measuring first.',
    tags: ['performance', 'profiling'],
    triggers: ['latency', 'slow query', 'p99'],
    identity: {
      role: 'You are a performance engineer who measures before changing anything.',
      principles: ['Profile first, optimise second.', 'Measure the p99, not the mean.'],
      contrarianInsight: 'Most slow code is slow because of I/O, not CPU.',
      doesNotCover: ['memory hierarchy design'],
      defersTo: [{ skill: 'ml-memory', when: 'memory systems' }],
    },
    patterns: [
      {
        id: 'profiled-optimization',
        name: 'Profiled Optimization',
        description: 'Profile, change one thing, measure again.',
        examples: { python: 'import cProfile\ncProfile.run("main()")\n', typescript: 'console.time("x");\n' },
        source: { file: '/virtual/performance-hunter/skill.yaml', line: 30, column: 5 },
      },
    ],
    antiPatterns: [
      { id: 'premature-optimization', name: 'Premature Optimization', instead: 'Profile first; see n-plus-one-queries.' },
    ],
    sharpEdges: [
      {
        id: 'n-plus-one-queries',
        summary: 'One query per row in a loop',
        severity: 'critical',
        situation: 'A loop calls the database for each item.',
        why: 'Round trips add up: 1000 rows mean 1000 queries.',
        solution: 'Batch the query:\n```python\nusers = User.objects.filter(id__in=ids)\n```\nand measure.' + ' padding'.repeat(1000),
        symptoms: ['Latency grows with result size'],
        detectors: ['n-plus-one'],
        source: { file: '/virtual/sharp-edges/performance-hunter.yaml', line: 3, column: 5 },
      },
      { id: 'blocking-event-loop', summary: 'Sync I/O in async code', severity: 'high' },
    ],
    validations: [
      {
        id: 'n-plus-one',
        name: 'Database call per loop item',
        kind: 'ast',
        runnable: true,
        severity: 'error',
        message: 'A query runs once per loop iteration.',
        detector: 'n-plus-one',
        languages: ['python', 'typescript'],
        sharpEdge: 'n-plus-one-queries',
        source: { file: '/virtual/validations/performance-hunter.yaml', line: 2, column: 5 },
      },
      {
        id: 'sync-read-in-async',
        name: 'readFileSync in async function',
        kind: 'regex',
        runnable: true,
        severity: 'warning',
        patterns: ['readFileSync\\('],
        sharpEdge: 'blocking-event-loop',
      },
    ],
    collaboration: { delegation: [{ trigger: 'slow query', delegateTo: 'postgres-wizard' }] },
    origin: origin('performance-hunter'),
  });
}

/** A second skill that reuses an item id of the built-in one, to test bare-id resolution. */
export function dbTuner(): Skill {
  return Skill.parse({
    id: 'db-tuner',
    name: 'DB Tuner',
    description: 'Tunes database indexes.',
    tags: ['database', 'performance'],
    triggers: ['index'],
    identity: { text: 'A database specialist.' },
    sharpEdges: [{ id: 'n-plus-one-queries', summary: 'ORM lazy loading in loops', severity: 'high' }],
    collaboration: {},
    origin: { format: 'spawner', dir: '/virtual/db-tuner', files: ['/virtual/db-tuner/skill.yaml'] },
  });
}

export function manySkills(count: number): Skill[] {
  return Array.from({ length: count }, (_, i) =>
    Skill.parse({
      id: `skill-${String(i).padStart(3, '0')}`,
      name: `Skill ${i}`,
      tags: i % 2 === 0 ? ['even'] : ['odd'],
      identity: {},
      collaboration: {},
      origin: origin(`skill-${i}`),
    }),
  );
}
