// The floor under a cold TS/JS lint run, for bench/lint.mjs: what any linter built like ours must
// spend even with free detectors, free regex rules, no cache and no report. It starts Node, reads
// every file, asks the built-in detectors' pre-filters which files could hold a finding, loads the
// TypeScript compiler the way the engine does (from the V8 code cache) and parses those files,
// nothing else. Run as a child so its wall time includes Node's start-up like the CLI's does.
// Usage: node bench/lint-floor.mjs DIR  → one JSON line: files, kept, ms per phase.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dist = new URL('../dist/', import.meta.url);
const { detectors } = await import(new URL('lint/detectors/index.js', dist).href);
const { configureDetector, mayReport, TextIndex } = await import(new URL('lint/engine/core.js', dist).href);
const { loadTypeScript } = await import(new URL('lint/engine/ts-loader.js', dist).href);

const started = performance.now();
const configured = detectors.filter((d) => d.visit.typescript).map((d) => configureDetector(d));
const files = readdirSync(process.argv[2], { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && e.name.endsWith('.js'))
  .map((e) => path.join(e.parentPath ?? e.path, e.name));
const kept = [];
for (const file of files) {
  const code = readFileSync(file, 'utf8');
  const index = new TextIndex(code, 'typescript');
  if (configured.some((c) => mayReport(c, 'typescript', code, index))) kept.push({ file, code });
}
const filtered = performance.now();
const { ts, via } = await loadTypeScript();
const loaded = performance.now();
let bytes = 0;
for (const { file, code } of kept) {
  bytes += code.length;
  ts.createSourceFile(file, code, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, ts.ScriptKind.JS);
}
const parsed = performance.now();
const round = (ms) => Math.round(ms);
console.log(
  JSON.stringify({
    files: files.length,
    kept: kept.length,
    keptMb: Math.round(bytes / 1e5) / 10,
    compiler: via,
    ms: { startUpAndImports: round(started), readAndPrefilter: round(filtered - started), loadCompiler: round(loaded - filtered), parse: round(parsed - loaded) },
  }),
);
