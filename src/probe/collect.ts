/**
 * Reading what the probe wrote (one probe-<pid>.json per target process), merging the processes
 * and deciding, per route, whether a repeated query is a runtime N+1: it ran at least
 * MIN_REPEAT times in a request AND its count tracks the data — it equalled the row count of
 * another query of the same request (one query per row), or it varied between requests of the
 * same route (10 orders: 10 queries, 50 orders: 50). A query repeated a fixed number of times
 * whatever the data (three lookups per request, always three) is reported, not called N+1.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { N_PLUS_ONE_SHARP_EDGE, type ProbeReport, type RepeatedQuery, type RouteQueries, type RuntimeNPlusOne } from './schema.js';

export const MIN_REPEAT = 3;
/** The parent check must hold in at least this share of the requests where the query repeated. */
const PARENT_SHARE = 0.5;

const here = path.dirname(fileURLToPath(import.meta.url));
/**
 * The probe as Node loads it: compiled JavaScript beside this file in dist/; when this module runs
 * from src/ (tests), the built copy (`npm run build` first).
 */
export const PROBE = existsSync(path.join(here, 'probe.js')) ? path.join(here, 'probe.js') : path.resolve(here, '../../dist/probe/probe.js');

/** The environment a target needs for the probe to write into `dir`; NODE_OPTIONS keeps what it had. */
export function probeEnv(env: NodeJS.ProcessEnv, dir: string): NodeJS.ProcessEnv {
  if (!existsSync(PROBE)) throw new Error(`the probe ${PROBE} is missing: run \`npm run build\``);
  const flag = `--import ${JSON.stringify(pathToFileUrl(PROBE))}`; // NODE_OPTIONS accepts double-quoted values
  return { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, flag].filter(Boolean).join(' '), PERF_HUNTER_PROBE_DIR: dir };
}

function pathToFileUrl(file: string): string {
  return new URL(`file://${file.split(path.sep).map(encodeURIComponent).join('/')}`).href;
}

const Repeated = z.object({
  requests: z.number(),
  total: z.number(),
  max: z.number(),
  min: z.number(),
  parentMatched: z.number(),
  parentShape: z.string().nullable(),
  counts: z.array(z.number()),
});
const RouteStats = z.object({
  requests: z.number(),
  queriesTotal: z.number(),
  queriesMax: z.number(),
  queriesMin: z.number(),
  outboundTotal: z.number(),
  outboundMax: z.number(),
  repeated: z.record(z.string(), Repeated),
});
const ProbeFile = z.object({ pid: z.number(), libraries: z.array(z.string()), routes: z.record(z.string(), RouteStats) });
type RouteStats = z.infer<typeof RouteStats>;
type Repeated = z.infer<typeof Repeated>;

/** The merged report, or null when no target process loaded the probe (not Node, or it never started). */
export async function readProbe(dir: string): Promise<ProbeReport | null> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^probe-\d+\.json$/.test(n));
  } catch {
    return null;
  }
  if (names.length === 0) return null;
  const notes: string[] = [];
  const libraries = new Set<string>();
  const merged = new Map<string, RouteStats>();
  let processes = 0;
  for (const name of names.sort()) {
    let parsed;
    try {
      parsed = ProbeFile.safeParse(JSON.parse(await readFile(path.join(dir, name), 'utf8')));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      notes.push(`${name}: unreadable probe output, left out`);
      continue;
    }
    for (const lib of parsed.data.libraries) libraries.add(lib);
    if (Object.keys(parsed.data.routes).length > 0) processes++;
    for (const [route, stats] of Object.entries(parsed.data.routes)) merged.set(route, mergeRoute(merged.get(route), stats));
  }
  const routes = [...merged].map(([route, stats]) => summarise(route, stats)).sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route));
  if (libraries.size === 0) notes.push('no query library was loaded by the target (pg, mysql2, better-sqlite3, PGlite): queries are not counted, outbound calls are');
  return { libraries: [...libraries].sort(), processes, routes, nPlusOne: routes.flatMap((r) => (r.nPlusOne ? [r.nPlusOne] : [])), notes };
}

function mergeRoute(a: RouteStats | undefined, b: RouteStats): RouteStats {
  if (!a) return b;
  const repeated: Record<string, Repeated> = { ...a.repeated };
  for (const [shape, r] of Object.entries(b.repeated)) {
    const x = repeated[shape];
    repeated[shape] = x
      ? {
          requests: x.requests + r.requests,
          total: x.total + r.total,
          max: Math.max(x.max, r.max),
          min: Math.min(x.min, r.min),
          parentMatched: x.parentMatched + r.parentMatched,
          parentShape: x.parentShape ?? r.parentShape,
          counts: [...x.counts, ...r.counts],
        }
      : r;
  }
  return {
    requests: a.requests + b.requests,
    queriesTotal: a.queriesTotal + b.queriesTotal,
    queriesMax: Math.max(a.queriesMax, b.queriesMax),
    queriesMin: Math.min(a.queriesMin, b.queriesMin),
    outboundTotal: a.outboundTotal + b.outboundTotal,
    outboundMax: Math.max(a.outboundMax, b.outboundMax),
    repeated,
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function summarise(route: string, s: RouteStats): RouteQueries {
  const requests = Math.max(1, s.requests);
  // The most repeated query: most executions in total, then the highest count in one request.
  const [shape, top] = Object.entries(s.repeated).sort(([, a], [, b]) => b.total - a.total || b.max - a.max)[0] ?? [];
  const topRepeated: RepeatedQuery | null =
    shape && top
      ? {
          shape,
          perRequest: { mean: round2(top.total / Math.max(1, top.requests)), min: top.min, max: top.max },
          requests: top.requests,
          parentShape: top.parentShape,
          parentMatchedPercent: Math.round((top.parentMatched / Math.max(1, top.requests)) * 1000) / 10,
        }
      : null;
  return {
    route,
    requests: s.requests,
    queriesPerRequest: { mean: round2(s.queriesTotal / requests), min: s.queriesMin, max: s.queriesMax },
    outboundPerRequest: { mean: round2(s.outboundTotal / requests), max: s.outboundMax },
    topRepeated,
    nPlusOne: top && shape ? verdict(route, shape, top) : null,
  };
}

function verdict(route: string, shape: string, r: Repeated): RuntimeNPlusOne | null {
  if (r.max < MIN_REPEAT) return null;
  const base = { sharpEdge: N_PLUS_ONE_SHARP_EDGE, route, shape, perRequestMax: r.max } as const;
  if (r.parentMatched / Math.max(1, r.requests) >= PARENT_SHARE && r.parentShape) {
    return { ...base, evidence: `ran once per row of \`${r.parentShape}\` (${r.parentMatched} of ${r.requests} requests; up to ${r.max} times in one request)` };
  }
  if (r.max > r.min) {
    return { ...base, evidence: `its count per request grew with the request, from ${r.min} to ${r.max}` };
  }
  return null;
}

/** Readable lines for the text reports of profile and load-test. */
export function formatProbeLines(report: ProbeReport, { limit = 10 }: { limit?: number } = {}): string[] {
  const lines = [`Queries per request (runtime probe; libraries: ${report.libraries.join(', ') || 'none loaded'}):`];
  if (report.routes.length === 0) lines.push('  no request was served while the probe was in the target');
  for (const r of report.routes.slice(0, limit)) {
    const q = r.queriesPerRequest;
    const top = r.topRepeated ? `; most repeated ${r.topRepeated.perRequest.max}x: ${r.topRepeated.shape}` : '';
    lines.push(`  ${r.route}: ${r.requests} requests, queries/request mean ${q.mean} max ${q.max}, outbound/request mean ${r.outboundPerRequest.mean}${top}`);
  }
  for (const n of report.nPlusOne) lines.push(`  RUNTIME N+1 (${n.sharpEdge}) ${n.route}: \`${n.shape}\` ${n.evidence}`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return lines;
}
