// `npm run accuracy`: precision and recall per rule and language over the annotated fixtures in
// test/fixtures/lint/, run through the BUILT linter (dist/). Annotations are Semgrep's:
// `ruleid:` must be flagged, `ok:` must not, `todoruleid:` is a known miss (counted as a false
// negative until the detector finds it), `todook:` a known false alarm (a false positive while
// it is flagged). Any finding on a line with no annotation is a false positive too.
// Prints a Markdown table for the README; `--json` prints the numbers instead.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist/lint/run.js');
if (!existsSync(dist)) {
  console.error('accuracy: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const { lintSource } = await import(dist);
const { detectorById } = await import(path.join(root, 'dist/lint/detectors/index.js'));

const FIXTURES = path.join(root, 'test/fixtures/lint');
const LANGUAGE = { '.ts': 'TypeScript', '.tsx': 'TypeScript', '.js': 'JavaScript', '.mjs': 'JavaScript', '.py': 'Python' };
const ANNOTATION = /^\s*(?:\/\/|#)\s*(todoruleid|todook|ruleid|ok)\s*:\s*([\w-]+(?:\s*,\s*[\w-]+)*)\s*$/;

/** 1-based target line -> annotation kind, for one rule (stacked annotations share the next code line). */
function annotations(code, ruleId) {
  const lines = code.split(/\r?\n/);
  const byLine = new Map();
  lines.forEach((text, index) => {
    const match = ANNOTATION.exec(text);
    if (!match || !match[2].split(',').map((s) => s.trim()).includes(ruleId)) return;
    let target = index + 1;
    while (target < lines.length && ANNOTATION.test(lines[target])) target++;
    byLine.set(target + 1, match[1]);
  });
  return byLine;
}

const rows = [];
const skipped = [];
for (const name of readdirSync(FIXTURES).sort()) {
  const ext = path.extname(name);
  if (!(ext in LANGUAGE)) continue;
  const ruleId = path.basename(name, ext);
  if (!detectorById.has(ruleId)) {
    skipped.push(`${name} (no detector ${ruleId} is registered)`);
    continue;
  }
  const code = readFileSync(path.join(FIXTURES, name), 'utf8');
  const byLine = annotations(code, ruleId);
  const flagged = new Set((await lintSource({ code, filename: name, detectors: [ruleId] })).map((f) => f.line));
  const row = { rule: ruleId, language: LANGUAGE[ext], tp: 0, fp: 0, fn: 0, tn: 0, knownFn: 0, knownFp: 0 };
  for (const [line, kind] of byLine) {
    const hit = flagged.has(line);
    if (kind === 'ruleid' || kind === 'todoruleid') {
      if (hit) row.tp++;
      else {
        row.fn++;
        if (kind === 'todoruleid') row.knownFn++;
      }
    } else if (hit) {
      row.fp++;
      if (kind === 'todook') row.knownFp++;
    } else row.tn++;
  }
  for (const line of flagged) if (!byLine.has(line)) row.fp++;
  rows.push(row);
}

const ratio = (num, den) => (den === 0 ? '—' : `${((100 * num) / den).toFixed(1)}%`);
const sum = (list, key) => list.reduce((n, r) => n + r[key], 0);

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ rows, skipped }, null, 2));
} else {
  const out = [
    '| Rule | Language | TP | FP | FN | Precision | Recall | Known gaps (todo) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    const gaps = [r.knownFn ? `${r.knownFn} missed` : '', r.knownFp ? `${r.knownFp} false alarm(s)` : ''].filter(Boolean).join(', ');
    out.push(`| \`${r.rule}\` | ${r.language} | ${r.tp} | ${r.fp} | ${r.fn} | ${ratio(r.tp, r.tp + r.fp)} | ${ratio(r.tp, r.tp + r.fn)} | ${gaps} |`);
  }
  const [tp, fp, fn] = ['tp', 'fp', 'fn'].map((k) => sum(rows, k));
  out.push(`| **all** | | ${tp} | ${fp} | ${fn} | ${ratio(tp, tp + fp)} | ${ratio(tp, tp + fn)} | |`);
  console.log(out.join('\n'));
  console.log(`\n${rows.length} fixture file(s) over ${new Set(rows.map((r) => r.rule)).size} rule(s); ok cases left alone: ${sum(rows, 'tn')}.`);
  if (skipped.length) console.log(`Not measured: ${skipped.join('; ')}.`);
}
