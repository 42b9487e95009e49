/** The readable report: the CLI prints it, the MCP tool answers with it under the verdict line. */
import { formatProbeLines } from '../probe/collect.js';
import type { LoadTestReport } from './schema.js';

const ms = (v: number): string => `${Number(v.toFixed(v < 10 ? 3 : 1))} ms`;

export function formatLoadTestText(r: LoadTestReport): string {
  const l = r.latencyMs;
  const lines = [
    r.verdict,
    '',
    `${r.method} ${r.url}: ${r.model} model, ${r.connections} connection(s)${r.pipelining > 1 ? ` x${r.pipelining} pipelined` : ''}${r.workers > 1 ? `, ${r.workers} workers` : ''}, ${r.durationSeconds} s measured${r.warmupSeconds ? ` after ${r.warmupSeconds} s warm-up` : ''}`,
    `  requests/s  mean ${r.requests.perSecond.mean}  stdev ${r.requests.perSecond.stdev}  min ${r.requests.perSecond.min}  (${r.requests.total} answered)`,
    `  latency     p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p97.5 ${ms(l['p97.5'])}  p99 ${ms(l.p99)}  p99.9 ${ms(l['p99.9'])}  max ${ms(l.max)}${r.model === 'open' ? '  (from scheduled send)' : ''}`,
  ];
  if (r.serviceTimeMs) {
    const s = r.serviceTimeMs;
    lines.push(`  service     p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p97.5 ${ms(s['p97.5'])}  p99 ${ms(s.p99)}  p99.9 ${ms(s['p99.9'])}  max ${ms(s.max)}  (uncorrected, from actual send)`);
  }
  if (r.rate) {
    lines.push(`  rate        target ${r.rate.target}  achieved ${r.rate.achieved} (${r.rate.shortfallPercent}% short)  late ${r.rate.late}  waited for a connection ${r.rate.waitedForConnection}  not sent ${r.rate.notSent}`);
  }
  const codes = Object.entries(r.statusCodes)
    .map(([code, n]) => `${code}: ${n}`)
    .join(', ');
  lines.push(`  errors ${r.errors}  timeouts ${r.timeouts}  status ${codes || 'none'}  failed ${(r.errorRate * 100).toFixed(2)}%`);
  lines.push(`  throughput ${(r.bytesPerSecond / 1024).toFixed(1)} KiB/s  generator CPU ${r.generator.cpuPercent}%${r.generator.saturated ? ' (saturated)' : ''}`);
  if (r.slo) {
    lines.push('', `SLO ${r.slo.pass ? 'met' : 'FAILED'}: ${r.slo.objectives.join(', ')}`);
    for (const v of r.slo.violations) lines.push(`  - ${v.message}`);
  }
  if (r.comparison) {
    const c = r.comparison;
    lines.push('', `Against ${c.against} (${c.method}, ${c.rounds} samples each): ${c.summary}`);
    for (const f of c.figures) {
      lines.push(`  ${f.figure.padEnd(4)} ${String(f.baseline.toFixed(2)).padStart(10)} -> ${String(f.current.toFixed(2)).padStart(10)}  ${f.ratio}x  p=${f.pValue ?? 'n/a'}${f.significant ? (f.worse ? '  WORSE' : '  better') : ''}${f.note ? `  (${f.note})` : ''}`);
    }
  }
  if (r.queries) lines.push('', ...formatProbeLines(r.queries));
  if (r.warnings.length) lines.push('', ...r.warnings.map((w) => `note: ${w}`));
  if (r.output.report) lines.push('', `report: ${r.output.report}`, `latency picture: ${r.output.svg}`);
  return `${lines.join('\n')}\n`;
}
