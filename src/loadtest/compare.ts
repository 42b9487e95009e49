/**
 * Before/after: is the difference beyond run-to-run noise? Each figure (requests/s, p50, p99) is
 * compared on its samples — per round when two URLs alternate (A B A B, so machine drift hits both),
 * per second against a saved report — with a Mann-Whitney U rank test, which assumes no
 * distribution. A difference counts only when it is both significant and at least 10%, so two
 * identical servers on a noisy machine are not flagged for a 3% wobble. Significance is
 * Bonferroni-corrected over the figures compared (p < 0.05 / 3): with three tests at 0.05 each,
 * one identical pair in seven would be called a regression by chance. A percentile is compared
 * only when every sample holds enough responses for it (MIN_RESPONSES); otherwise it says so.
 */
import type { Comparison, FigureComparison, Sample } from './schema.js';

export const ALPHA = 0.05;
export const MIN_EFFECT = 0.1;
/**
 * Responses every sample needs before a percentile is compared: about ten beyond it. A p99 of 400
 * responses rests on the 4 slowest, and two identical servers then differ by 25% from one short
 * round to the next (measured), enough to be called a regression now and then.
 */
export const MIN_RESPONSES: Readonly<Record<'rps' | 'p50' | 'p99', number>> = { rps: 0, p50: 20, p99: 1_000 };

/** Two-sided p-value of the Mann-Whitney U test: exact without ties for small samples, else normal with tie correction. */
export function mannWhitneyU(a: number[], b: number[]): number | null {
  const n = a.length;
  const m = b.length;
  if (n < 2 || m < 2) return null;
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let ties = false;
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const t = j - i + 1;
    if (t > 1) {
      ties = true;
      tieTerm += t ** 3 - t;
    }
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const rankSumA = all.reduce((sum, x, i) => (x.g === 0 ? sum + ranks[i]! : sum), 0);
  const u = rankSumA - (n * (n + 1)) / 2;
  const uMin = Math.min(u, n * m - u);
  if (!ties && n + m <= 40) {
    const counts = uDistribution(n, m);
    const total = counts.reduce((s, c) => s + c, 0);
    let tail = 0;
    for (let k = 0; k <= Math.floor(uMin); k++) tail += counts[k]!;
    return Math.min(1, (2 * tail) / total);
  }
  const mean = (n * m) / 2;
  const N = n + m;
  const variance = ((n * m) / 12) * (N + 1 - tieTerm / (N * (N - 1)));
  if (variance <= 0) return 1;
  const z = (Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return Math.min(1, 2 * (1 - normalCdf(Math.max(0, z))));
}

/** Number of arrangements giving each U for sample sizes n, m (no ties). */
function uDistribution(n: number, m: number): number[] {
  // f[i][j] = distribution for sizes i, j; f(i,j,u) = f(i-1,j,u-j) + f(i,j-1,u).
  let prev: number[][] = [];
  for (let i = 0; i <= n; i++) {
    const row: number[][] = [];
    for (let j = 0; j <= m; j++) {
      if (i === 0 || j === 0) row.push([1]);
      else {
        const a = prev[j]!;
        const b = row[j - 1]!;
        const out = new Array<number>(i * j + 1).fill(0);
        a.forEach((c, u) => (out[u + j]! += c));
        b.forEach((c, u) => (out[u]! += c));
        row.push(out);
      }
    }
    prev = row;
  }
  return prev[m]!;
}

function normalCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26 erf approximation: plenty for a p-value threshold.
  const t = 1 / (1 + 0.3275911 * (z / Math.SQRT2));
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return 0.5 * (1 + erf);
}

/** Responses behind a sample's percentiles; a per-second sample of an older report counts its requests. */
function responsesIn(sample: Sample): number {
  return sample.responses ?? sample.rps;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface CompareInput {
  against: string;
  method: Comparison['method'];
  current: { samples: Sample[]; rps: number; p50: number; p99: number };
  baseline: { samples: Sample[]; rps: number; p50: number; p99: number };
}

export function compare(input: CompareInput): Comparison {
  const compared = ['rps', 'p50', 'p99'] as const;
  const alpha = ALPHA / compared.length;
  const fewest = Math.min(...[...input.current.samples, ...input.baseline.samples].map(responsesIn));
  const figures: FigureComparison[] = compared.map((figure) => {
    const pick = (s: Sample): number | null => (figure === 'rps' ? s.rps : figure === 'p50' ? s.p50Ms : s.p99Ms);
    const cur = input.current.samples.map(pick).filter((v): v is number => v !== null);
    const base = input.baseline.samples.map(pick).filter((v): v is number => v !== null);
    const current = input.current[figure];
    const baseline = input.baseline[figure];
    const ratio = baseline > 0 ? current / baseline : 1;
    const comparable = fewest >= MIN_RESPONSES[figure];
    const pValue = comparable ? mannWhitneyU(cur, base) : null;
    const significant = pValue !== null && pValue < alpha && Math.abs(ratio - 1) >= MIN_EFFECT;
    const worse = significant && (figure === 'rps' ? ratio < 1 : ratio > 1);
    const note = comparable
      ? undefined
      : `${figure} not compared: the smallest ${input.method === 'alternating-rounds' ? 'round' : 'second'} had ${fewest} responses and a ${figure} needs ${MIN_RESPONSES[figure]} to be stable; run longer, with fewer rounds or more connections`;
    return { figure, baseline, current, ratio: round(ratio, 3), pValue: pValue === null ? null : round(pValue, 4), significant, worse, ...(note ? { note } : {}) };
  });
  const regression = figures.some((f) => f.worse);
  const changed = figures.filter((f) => f.significant);
  const rounds = Math.min(input.current.samples.length, input.baseline.samples.length);
  const skipped = figures.filter((f) => f.note).map((f) => f.figure);
  const summary =
    (changed.length === 0
      ? `no difference beyond run-to-run noise against ${input.against}`
      : `${regression ? 'regression' : 'improvement'} against ${input.against}: ${changed.map((f) => `${f.figure} ${f.ratio}x (p=${f.pValue})`).join(', ')}`) +
    (skipped.length > 0 ? ` (${skipped.join(', ')} not compared: too few responses per sample)` : '');
  return { against: input.against, method: input.method, rounds, figures, regression, summary };
}

function round(value: number, digits: number): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
