/**
 * The handoff package: what a skills runner passes to the next skill. It joins the decision
 * (`runHandoff`) with the evidence behind it, read from the reports perf-hunter's own tools
 * write: lint findings (file:line, rule, message, fix), load-test figures and SLO verdicts,
 * profile bottleneck and hotspots. Reports are read by the fields the package needs, so a
 * report from an older perf-hunter, or one cut down by hand, still counts.
 */
import { z } from 'zod';
import {
  HandoffError,
  PACKAGE_FORMAT,
  type EvidenceItem,
  type EvidenceKind,
  type HandoffFinding,
  type HandoffPackage,
  type HandoffProfile,
  type HandoffResult,
  type PackageFinding,
  type PackageHotspot,
  type PackageLoadTest,
} from './schema.js';
import type { Skill } from '../skills/model.js';

const MAX_HOTSPOTS = 10;
const BRIEF_FINDINGS = 15;

const LintFinding = z.looseObject({
  ruleId: z.string(),
  severity: z.string().optional(),
  message: z.string().default(''),
  file: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  fix: z.string().optional(),
  sharpEdge: z.string().optional(),
});
const LintShape = z.union([z.array(LintFinding), z.looseObject({ findings: z.array(LintFinding) })]);

const Spot = z.looseObject({
  function: z.string(),
  file: z.string().nullable().optional(),
  line: z.number().int().nullable().optional(),
  package: z.string().nullable().optional(),
  selfPercent: z.number().optional(),
  totalPercent: z.number().optional(),
});
const ProfileShape = z.looseObject({
  bottleneck: z.union([z.string(), z.looseObject({ sentence: z.string().default('') })]).optional(),
  topSelf: z.array(Spot).optional(),
  topTotal: z.array(Spot).optional(),
  load: z
    .looseObject({
      url: z.string(),
      requestsPerSecond: z.number(),
      latencyMs: z.looseObject({ p50: z.number(), p99: z.number() }),
    })
    .nullable()
    .optional(),
});

const LoadTestShape = z.looseObject({
  url: z.string(),
  method: z.string().optional(),
  durationSeconds: z.number().optional(),
  requests: z.looseObject({ total: z.number().optional(), perSecond: z.looseObject({ mean: z.number() }).optional() }).optional(),
  latencyMs: z.looseObject({ p50: z.number(), p99: z.number() }),
  errorRate: z.number().optional(),
  slo: z
    .looseObject({
      pass: z.boolean(),
      objectives: z.array(z.string()).default([]),
      violations: z.array(z.looseObject({ figure: z.string(), limit: z.string(), actual: z.string(), message: z.string() })).default([]),
    })
    .nullable()
    .optional(),
  verdict: z.string().optional(),
});

export type ReadEvidence =
  | { kind: 'lint'; source: string; findings: z.infer<typeof LintFinding>[] }
  | { kind: 'profile'; source: string; profile: z.infer<typeof ProfileShape> }
  | { kind: 'load-test'; source: string; report: z.infer<typeof LoadTestShape> };

/** Which report it is, by the fields only that kind has; anything else is a HandoffError naming the item. */
export function readEvidence(items: readonly EvidenceItem[]): ReadEvidence[] {
  return items.map((item, i) => {
    const source = item.source ?? `evidence[${i}]`;
    const report = item.report;
    const has = (key: string) => report !== null && typeof report === 'object' && key in report;
    const kind: EvidenceKind | undefined = Array.isArray(report) || has('findings') ? 'lint' : has('latencyMs') ? 'load-test' : has('bottleneck') || has('topSelf') ? 'profile' : undefined;
    if (!kind) {
      throw new HandoffError(`${source} is not a lint, profile or load-test report: expected "findings" (lint), "latencyMs" (load_test) or "bottleneck"/"topSelf" (profile)`);
    }
    const schema = kind === 'lint' ? LintShape : kind === 'profile' ? ProfileShape : LoadTestShape;
    const parsed = schema.safeParse(report);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      throw new HandoffError(`${source} looks like a ${kind} report but does not read as one${where}: ${issue?.message ?? 'invalid'}`);
    }
    if (kind === 'lint') {
      const data = parsed.data as z.infer<typeof LintShape>;
      return { kind, source, findings: Array.isArray(data) ? data : data.findings };
    }
    if (kind === 'profile') return { kind, source, profile: parsed.data as z.infer<typeof ProfileShape> };
    return { kind, source, report: parsed.data as z.infer<typeof LoadTestShape> };
  });
}

/** What the evidence adds to runHandoff's own input: lint findings and the first profile. */
export function evidenceInputs(evidence: readonly ReadEvidence[]): { findings: HandoffFinding[]; profile?: HandoffProfile } {
  const findings = evidence.flatMap((e) => (e.kind === 'lint' ? e.findings.map((f) => ({ ...f, message: f.message })) : []));
  const profile = evidence.find((e): e is Extract<ReadEvidence, { kind: 'profile' }> => e.kind === 'profile')?.profile;
  return { findings, ...(profile ? { profile } : {}) };
}

export interface PackageInput {
  task: string;
  /** Findings given inline (not from an evidence report). */
  findings: readonly HandoffFinding[];
  profile?: HandoffProfile | undefined;
  evidence: readonly ReadEvidence[];
  self: Skill;
  now?: Date;
}

export function buildPackage(result: HandoffResult, input: PackageInput): HandoffPackage {
  const findings: PackageFinding[] = [
    ...input.findings.map((f) => packageFinding(f)),
    ...input.evidence.flatMap((e, i) => (e.kind === 'lint' ? e.findings.map((f) => packageFinding(f, i)) : [])),
  ];
  const profiles = input.evidence.map((e, i) => ({ e, i })).filter((x): x is { e: Extract<ReadEvidence, { kind: 'profile' }>; i: number } => x.e.kind === 'profile');
  const inlineProfile = input.profile && !profiles.some((p) => p.e.profile === input.profile) ? [input.profile] : [];
  const allProfiles = [...inlineProfile, ...profiles.map((p) => p.e.profile)];
  const hotspots = allProfiles.flatMap((p) => [...(p.topSelf ?? []), ...('hotspots' in p && Array.isArray(p.hotspots) ? p.hotspots : [])].map((h) => hotspot(h))).slice(0, MAX_HOTSPOTS);
  const bottleneck = allProfiles.map(bottleneckOf).find(Boolean) ?? null;
  const loadTests: PackageLoadTest[] = [
    ...input.evidence.flatMap((e, i) => (e.kind === 'load-test' ? [loadTest(e.report, i)] : [])),
    ...profiles.flatMap(({ e, i }) => {
      const load = e.profile.load;
      return load ? [{ url: load.url, p50Ms: load.latencyMs.p50, p99Ms: load.latencyMs.p99, rps: load.requestsPerSecond, slo: null, evidence: i }] : [];
    }),
  ];
  const files = [...new Set([...findings.map((f) => f.file), ...hotspots.filter((h) => h.package === null).map((h) => h.file)].filter((f): f is string => Boolean(f)))];

  const target = result.handoffs[0];
  const selfTarget = (why: string, confidence: number) => ({ skill: input.self.id, name: input.self.name, loaded: true, pattern: 'sequential' as const, confidence, why });
  let to: HandoffPackage['to'] = null;
  let context = 'The task, the findings and the measurements below.';
  let toReturn = 'The change made (or the reason for none), and the same measurements taken again.';
  if (result.decision === 'handoff' && target) {
    to = {
      skill: target.skill,
      ...(target.name ? { name: target.name } : {}),
      ...(target.description ? { description: target.description } : {}),
      loaded: target.loaded,
      pattern: target.pattern,
      confidence: target.confidence,
      why: target.why,
    };
    context = target.context;
    toReturn = target.receive;
  } else if (result.decision === 'stay' && result.stay) {
    to = selfTarget(result.stay.reason, result.stay.confidence);
  } else if (result.decision === 'defer' && result.defer?.skill) {
    to = { skill: result.defer.skill, loaded: result.defer.loaded ?? false, pattern: 'sequential', confidence: result.defer.confidence, why: result.defer.reason };
    context = `The boundary: ${result.defer.boundary}.`;
    toReturn = 'Their answer on the part outside performance, to resume from.';
  }

  return {
    format: PACKAGE_FORMAT,
    createdAt: (input.now ?? new Date()).toISOString(),
    task: input.task,
    decision: result.decision,
    from: { skill: input.self.id, name: input.self.name },
    to,
    alternatives: result.handoffs.slice(1).map((h) => ({ skill: h.skill, confidence: h.confidence, why: h.why })),
    summary: result.summary,
    context,
    findings,
    metrics: { loadTests, bottleneck, hotspots },
    files,
    return: toReturn,
    evidence: input.evidence.map((e) => ({ kind: e.kind, source: e.source })),
  };
}

function packageFinding(f: HandoffFinding | z.infer<typeof LintFinding>, evidence?: number): PackageFinding {
  const out: PackageFinding = { ruleId: f.ruleId, message: f.message };
  const loose = f as Record<string, unknown>;
  if (typeof loose.severity === 'string') out.severity = loose.severity;
  if (f.file) out.file = f.file;
  if (typeof f.line === 'number') out.line = f.line;
  if (typeof loose.column === 'number') out.column = loose.column;
  if (typeof loose.fix === 'string' && loose.fix) out.fix = loose.fix;
  if (f.sharpEdge) out.sharpEdge = f.sharpEdge;
  if (evidence !== undefined) out.evidence = evidence;
  return out;
}

/** A profile's hotspot, or a hand-written `{name, file}` one. */
function hotspot(h: { function?: string; name?: string; file?: string | null; line?: unknown; package?: string | null; selfPercent?: number; totalPercent?: number }): PackageHotspot {
  return {
    function: h.function ?? h.name ?? '(anonymous)',
    file: h.file ?? null,
    line: typeof h.line === 'number' && Number.isInteger(h.line) ? h.line : null,
    package: h.package ?? null,
    ...(h.selfPercent !== undefined ? { selfPercent: h.selfPercent } : {}),
    ...(h.totalPercent !== undefined ? { totalPercent: h.totalPercent } : {}),
  };
}

function bottleneckOf(p: HandoffProfile | z.infer<typeof ProfileShape>): string {
  const b = p.bottleneck;
  return (typeof b === 'string' ? b : b?.sentence ?? '').trim();
}

function loadTest(r: z.infer<typeof LoadTestShape>, evidence: number): PackageLoadTest {
  const rps = r.requests?.perSecond?.mean ?? (r.requests?.total !== undefined && r.durationSeconds ? r.requests.total / r.durationSeconds : 0);
  return {
    url: r.url,
    ...(r.method ? { method: r.method } : {}),
    p50Ms: r.latencyMs.p50,
    p99Ms: r.latencyMs.p99,
    rps: Math.round(rps * 10) / 10,
    ...(r.errorRate !== undefined ? { errorRate: r.errorRate } : {}),
    slo: r.slo ? { pass: r.slo.pass, objectives: r.slo.objectives, violations: r.slo.violations.map(({ figure, limit, actual, message }) => ({ figure, limit, actual, message })) } : null,
    ...(r.verdict ? { verdict: r.verdict } : {}),
    evidence,
  };
}

// ---------------------------------------------------------------------------------------------
// brief

/** The package as a short Markdown brief: what the next skill reads first. */
export function renderBrief(pkg: HandoffPackage): string {
  const out: string[] = [];
  const who = pkg.to ? `${pkg.from.skill} → ${pkg.to.skill}` : pkg.from.skill;
  out.push(`# Handoff brief: ${who}`, '');
  out.push(`**Task:** ${oneLine(pkg.task) || '(none given: see the findings)'}`, '');
  const decision = pkg.to
    ? `${pkg.decision}: ${pkg.to.skill}${pkg.to.name && pkg.to.name !== pkg.to.skill ? ` (${pkg.to.name})` : ''}, ${pkg.to.pattern}, confidence ${pkg.to.confidence}${pkg.to.loaded ? '' : ', not installed here'}`
    : pkg.decision;
  out.push(`**Decision:** ${decision}. ${pkg.to ? pkg.to.why : pkg.summary}`, '');
  out.push('## Context', '', pkg.context, '');
  if (pkg.findings.length) {
    out.push(`## Findings (${pkg.findings.length})`, '');
    for (const f of pkg.findings.slice(0, BRIEF_FINDINGS)) {
      const at = f.file ? `\`${f.file}${f.line ? `:${f.line}` : ''}\` ` : '';
      out.push(`- ${at}${f.ruleId}${f.severity ? ` (${f.severity})` : ''}: ${oneLine(f.message)}${f.fix ? ` Fix: ${oneLine(f.fix)}` : ''}`);
    }
    if (pkg.findings.length > BRIEF_FINDINGS) out.push(`- … ${pkg.findings.length - BRIEF_FINDINGS} more in the package`);
    out.push('');
  }
  const { loadTests, bottleneck, hotspots } = pkg.metrics;
  if (loadTests.length || bottleneck || hotspots.length) {
    out.push('## Metrics', '');
    for (const t of loadTests) {
      const errors = t.errorRate !== undefined ? `, errors ${(t.errorRate * 100).toFixed(2)}%` : '';
      const slo = t.slo ? ` — SLO ${t.slo.pass ? 'passed' : 'FAILED'}${t.slo.violations.length ? `: ${t.slo.violations.map((v) => v.message).join('; ')}` : ''}` : '';
      out.push(`- ${t.method ? `${t.method} ` : ''}${t.url}: p50 ${t.p50Ms} ms, p99 ${t.p99Ms} ms, ${t.rps} req/s${errors}${slo}`);
    }
    if (bottleneck) out.push(`- Bottleneck: ${oneLine(bottleneck)}`);
    for (const h of hotspots.slice(0, 5)) {
      const where = h.file ? ` (${h.file}${h.line ? `:${h.line}` : ''})` : '';
      out.push(`- Hotspot: ${h.function}${where}${h.selfPercent !== undefined ? `, ${h.selfPercent}% self` : ''}`);
    }
    out.push('');
  }
  if (pkg.files.length) out.push('## Files', '', ...pkg.files.map((f) => `- ${f}`), '');
  out.push('## Return', '', pkg.return, '');
  return `${out.join('\n').trimEnd()}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
