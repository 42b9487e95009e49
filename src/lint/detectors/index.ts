/**
 * Every built-in detector, one line each.
 *
 * How to add a detector (e.g. `no-timeout`, family `network`):
 *  1. Write `src/lint/detectors/<family>/<id>.ts` exporting `default defineDetector({...})`: id equal
 *     to the file name, docs (why, example and useInstead per language, whenNotToUse, references),
 *     messages by camelCase id, options as a zod object with defaults (camelCase; YAML's snake_case
 *     keys are mapped), and `visit.typescript` / `visit.python` returning read-only handlers keyed by
 *     SyntaxKind name or tree-sitter node type (`'X:exit'` for after-children). Match calls by
 *     `ctx.names.qualifiedName(...)` with `compileShapes([...globs])`, never by raw text; use
 *     `engine/scope-ts.ts` / `engine/scope-py.ts` for enclosing function/loop. Shared code of a
 *     family goes in `<family>/helpers.ts`.
 *  2. Write `test/fixtures/lint/<id>.ts` and `<id>.py` with `// ruleid: <id>` / `# ruleid: <id>`
 *     above each line that must be flagged and `ok:` above near-misses (include an aliased import).
 *  3. Add one import line and one entry below. `npx vitest run test/lint` checks the rest
 *     (fixtures both ways, docs, message ids used, example flagged, useInstead not).
 */
import type { AnyDetector } from '../define.js';
import sequentialAwait from './async/sequential-await.js';
import syncIoInAsync from './async/sync-io-in-async.js';
import unboundedFanout from './async/unbounded-fanout.js';
import cacheNoTtl from './cache/cache-no-ttl.js';
import cacheStampede from './cache/cache-stampede.js';
import connectionLeak from './connections/connection-leak.js';
import connectionPerRequest from './connections/connection-per-request.js';
import nPlusOne from './database/n-plus-one.js';
import uncachedEmbedding from './embedding/uncached-embedding.js';
import noTimeout from './http/no-timeout.js';

export const detectors: readonly AnyDetector[] = [
  cacheNoTtl,
  cacheStampede,
  connectionLeak,
  connectionPerRequest,
  nPlusOne,
  noTimeout,
  sequentialAwait,
  syncIoInAsync,
  unboundedFanout,
  uncachedEmbedding,
];

export const detectorById: ReadonlyMap<string, AnyDetector> = new Map(detectors.map((d) => [d.id, d]));
