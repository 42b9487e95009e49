// Skill loading: 500 synthetic Spawner skills (2,000 files of realistic size, every format variant)
// loaded with `loadSkills`, against the peer of just reading + `yaml`.parse of the same files
// (no discovery, no normalisation). Prints one JSON line. Needs `npm run build` first.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as yamlParse } from 'yaml';
import { loadSkills } from '../dist/skills/load.js';
import { median, round } from './lib.mjs';

const SKILLS = Number(process.env.BENCH_SKILLS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CATEGORIES = 10;

const root = mkdtempSync(path.join(os.tmpdir(), 'perf-hunter-skills-bench-'));
try {
  const files = generate(root);
  const bytes = files.reduce((n, f) => n + readFileSync(f).length, 0);

  // Wall time is what a user waits; CPU time (this process, all threads) is what the run cost,
  // and is less distorted when other work shares the machine.
  const ours = [];
  const oursCpu = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    last = await loadSkills({ dirs: [root], includeBuiltin: false, cache: false });
    ours.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    oursCpu.push((used.user + used.system) / 1000);
  }
  if (last.skills.length !== SKILLS) throw new Error(`expected ${SKILLS} skills, loaded ${last.skills.length}`);
  const errors = last.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new Error(`unexpected load errors, first: ${errors[0].message}`);

  const peer = [];
  for (let i = 0; i < (process.env.BENCH_PEER === "0" ? 0 : Math.min(RUNS, 3)); i++) {
    const started = performance.now();
    for (const file of files) yamlParse(readFileSync(file, 'utf8'));
    peer.push(performance.now() - started);
  }

  // Warm: the on-disk cache of assembled skills, filled by the first of these runs.
  process.env.PERF_HUNTER_CACHE_DIR = path.join(root, '.cache');
  const warm = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const started = performance.now();
    const result = await loadSkills({ dirs: [root], includeBuiltin: false });
    if (i > 0) {
      if (result.stats.cacheHits !== SKILLS) throw new Error(`warm load: expected ${SKILLS} cache hits, got ${result.stats.cacheHits}`);
      warm.push(performance.now() - started);
    }
  }

  const oursMs = median(ours);
  console.log(JSON.stringify({
    bench: 'skills-load',
    skills: SKILLS,
    files: last.stats.files,
    megabytes: round(bytes / 1e6, 1),
    runs: RUNS,
    medianMs: round(oursMs),
    warmMedianMs: round(median(warm)),
    firstRunMs: round(ours[0]),
    medianCpuMs: round(median(oursCpu)),
    loadAverage: round(os.loadavg()[0], 2),
    cpus: os.cpus().length,
    skillsPerSec: Math.round(SKILLS / (oursMs / 1000)),
    warnings: last.problems.length,
    yamlParseOnlyMs: round(median(peer)),
    ratio: round(oursMs / median(peer), 2),
    budgetMs: 1000,
  }));
} finally {
  rmSync(root, { recursive: true, force: true });
}

/** Writes SKILLS skills as `<category>/<skill>/{4 files}`, rotating through the format variants. */
function generate(dir) {
  const written = [];
  for (let i = 0; i < SKILLS; i++) {
    const skillDir = path.join(dir, `category-${i % CATEGORIES}`, `skill-${i}`);
    mkdirSync(skillDir, { recursive: true });
    for (const [name, text] of Object.entries(skillFiles(i))) {
      const file = path.join(skillDir, name);
      writeFileSync(file, text);
      written.push(file);
    }
  }
  return written;
}

function skillFiles(i) {
  const id = `skill-${i}`;
  return {
    'skill.yaml': skillYaml(i, id),
    'sharp-edges.yaml': edgesYaml(i),
    'validations.yaml': validationsYaml(i),
    'collaboration.yaml': collaborationYaml(i),
  };
}

function indent(text, n) {
  return text.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');
}

function codeExample(seed, lines) {
  const out = [];
  for (let l = 0; l < lines; l++) {
    out.push(l % 7 === 0 ? `def handler_${seed}_${l}(request):` : `    result_${l} = await client.fetch("/items/${seed}/${l}", timeout=${l % 5 + 1})  # step ${l}`);
  }
  return out.join('\n');
}

function skillYaml(i, id) {
  const idLine = i % 4 === 3 ? `skill_id: ${id}` : `id: ${id}`;
  const lines = [
    idLine,
    `name: Skill ${i}`,
    'version: 1.0.0',
    `layer: ${1 + (i % 3)}`,
    `description: Synthetic skill ${i} for the loader benchmark, about as long as a real one.`,
    'owns:', ...Array.from({ length: 8 }, (_, k) => `  - domain-${i}-${k}`),
    'pairs_with:', ...Array.from({ length: 4 }, (_, k) => `  - skill-${(i + k + 1) % SKILLS}`),
    'requires: []',
    'tags: [performance, synthetic, bench]',
    'triggers:', ...Array.from({ length: 10 }, (_, k) => `  - "trigger ${k}|alt ${k}"`),
  ];
  const variant = i % 3;
  if (variant === 0) {
    lines.push('identity: |', indent([
      `You are specialist ${i}. You measure before you change anything, and you`,
      'have the scars from production incidents to prove it.',
      '',
      'Your core principles:',
      '1. Measure first - then change one thing',
      '2. The bottleneck is never where you think',
      '3. p99 matters more than the average',
      '',
      'Contrarian insight: most optimisation work targets the wrong layer.',
      '',
      "What you don't cover: Pricing, hiring, legal review.",
      'When to defer: Databases (postgres-wizard), queues (event-architect).',
    ].join('\n'), 2));
  } else if (variant === 1) {
    lines.push('identity:', '  role: Specialist', '  personality: |', '    Careful and data-driven.', '  principles:', '    - Measure first', '    - Cache carefully');
  }
  const patternCount = 6;
  if (i % 2 === 0) {
    lines.push('patterns:');
    for (let p = 0; p < patternCount; p++) {
      lines.push(`  - name: Pattern ${p} of ${i}`, `    description: What pattern ${p} does.`, '    when: When it applies', '    example: |', indent(codeExample(p, 55), 6));
    }
  } else {
    lines.push('patterns:');
    for (let p = 0; p < patternCount; p++) {
      lines.push(`  pattern_${p}:`, `    description: What pattern ${p} does.`, '    example: |', indent(codeExample(p, 55), 6));
    }
  }
  lines.push('anti_patterns:');
  for (let a = 0; a < 5; a++) {
    lines.push(`  - name: Anti Pattern ${a}`, '    description: What goes wrong.', '    why: Because it hurts.', '    instead: Do the other thing.');
  }
  lines.push('handoffs:', '  - trigger: database', '    to: postgres-wizard', '    context: Slow queries');
  return `${lines.join('\n')}\n`;
}

function edgesYaml(i) {
  const key = i % 5 === 4 ? 'edges' : 'sharp_edges';
  const lines = [`${key}:`];
  for (let e = 0; e < 8; e++) {
    const detection = [
      `    detection_pattern: 'fetch\\(.*for '`,
      `    detection_patterns:\n      - 'time\\.sleep'\n      - 'readFileSync'`,
      `    detection:\n      pattern: 'open\\('\n      file_types: ["*.py"]`,
    ][e % 3];
    lines.push(
      `  - id: edge-${e}`,
      `    summary: Edge ${e} hurts in production.`,
      `    severity: ${['critical', 'high', 'medium', 'low'][e % 4]}`,
      '    situation: |', indent('Traffic grows and this starts to matter.\nIt usually shows up on a Friday.', 6),
      '    why: |', indent('Each request does more work than it should.\nThe cost scales with load.', 6),
      '    solution: |', indent(codeExample(e, 14), 6),
      '    symptoms:', '      - p99 climbs', '      - CPU saturates',
      detection,
    );
  }
  return `${lines.join('\n')}\n`;
}

function validationsYaml(i) {
  const lines = ['validations:'];
  for (let v = 0; v < 12; v++) {
    lines.push(`  - id: check-${v}`, `    name: Check ${v}`, `    severity: ${['critical', 'high', 'medium', 'low', 'error', 'warning', 'info'][v % 7]}`);
    switch (v % 6) {
      case 0: lines.push('    type: regex', '    pattern:', "      - 'requests\\\\.get\\\\('", "      - 'time\\\\.sleep'", '    applies_to: ["**/*.py"]'); break;
      case 1: lines.push("    pattern: 'await .* for .* in'", "    negative_pattern: 'gather'", '    file_glob: "**/*.py"'); break;
      case 2: lines.push('    type: regex', "    pattern: 'readFileSync\\('", '    negative_pattern:', "      - '// ok'", "      - 'scripts/'", '    applies_to: ["**/*.ts", "**/*.js"]'); break;
      case 3: lines.push('    pattern:', '      file_glob: "**/*.svelte"', "      match: 'onMount\\(async'", '      context_lines: 3'); break;
      case 4: lines.push('    type: conceptual'); break;
      default: lines.push('    type: regex', `    pattern: 'cache\\.set\\([^)]*\\)(?!.*ttl)'`, '    sharp_edge: edge-1'); break;
    }
    lines.push(`    message: Check ${v} found something slow.`, v % 2 ? '    suggestion: Do it the fast way.' : '    fix_action: Do it the fast way.');
  }
  lines.push('code_smells:', '  - id: smell-1', '    name: Smell', '    pattern: null', '    suggestion: Refactor.');
  return `${lines.join('\n')}\n`;
}

function collaborationYaml(i) {
  const key = i % 2 ? 'delegation_triggers' : 'delegation';
  const lines = ['prerequisites:', '  skills: []', '  knowledge:', '    - Profiling basics', '    - SQL', 'complementary_skills:'];
  for (let c = 0; c < 6; c++) lines.push(`  - skill: skill-${(i + c + 7) % SKILLS}`, '    relationship: Works alongside', '    brings: Expertise');
  lines.push(`${key}:`);
  for (let d = 0; d < 5; d++) {
    lines.push(`  - trigger: "topic ${d}|alt topic ${d}"`, `    delegate_to: skill-${(i + d + 3) % SKILLS}`, `    pattern: ${['sequential', 'parallel', 'review'][d % 3]}`, '    context: What to pass', '    receive: What comes back');
  }
  lines.push('collaboration_patterns:', '  sequential:', '    - First me, then them', 'cross_domain_insights:', '  - domain: queueing', '    insight: Little\'s law', '    applies_when: Sizing pools');
  return `${lines.join('\n')}\n`;
}
