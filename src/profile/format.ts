/** The readable report: the CLI prints it, the MCP tool uses its first lines as the text answer. */
import { formatProbeLines } from '../probe/collect.js';
import type { Hotspot, ProfileReport } from './schema.js';

const where = (h: { file: string | null; line: number | null }): string => (h.file ? `${h.file}${h.line ? `:${h.line}` : ''}` : '(native)');
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function summaryLine(report: ProfileReport): string {
  return report.bottleneck.sentence;
}

function hotspotLines(list: Hotspot[], by: 'self' | 'total', limit: number): string[] {
  return list.slice(0, limit).map((h) => {
    const pct = by === 'self' ? h.selfPercent : h.totalPercent;
    const pkg = h.package ? ` [${h.package}]` : '';
    const calls = h.calls !== undefined ? `, ${h.calls} calls` : '';
    return `  ${pct.toFixed(1).padStart(5)}%  ${h.function}  ${where(h)}${pkg}  (self ${h.selfMs} ms, total ${h.totalMs} ms${calls}; gone: at most ${h.amdahl.atMostPercentFaster}% faster)`;
  });
}

export function formatProfileText(report: ProfileReport, { limit = 10 }: { limit?: number } = {}): string {
  const s = report.shares;
  const lines = [
    `Profile of ${report.command.join(' ')} (${report.runtime}, ${report.kind}; stopped by ${report.stoppedBy})`,
    `  wall ${report.wallMs} ms, ${report.sampling ? `sampled ${report.sampledMs} ms every ${report.intervalUs} µs` : `profiled ${report.sampledMs} ms (cProfile, deterministic)`}`,
    `  program ${s.programPercent}%  gc ${s.gcPercent}%  idle ${s.idlePercent}%  native ${s.nativePercent}%`,
  ];
  if (report.eventLoopDelay) {
    const d = report.eventLoopDelay;
    lines.push(`  event-loop delay p50 ${d.p50Ms} ms  p99 ${d.p99Ms} ms  max ${d.maxMs} ms`);
  }
  if (report.load) {
    const l = report.load;
    lines.push(`  load ${l.url}: ${l.requestsPerSecond} req/s, p50 ${l.latencyMs.p50} ms, p99 ${l.latencyMs.p99} ms, ${l.requests} requests, ${l.errors} errors, ${l.non2xx} non-2xx`);
  }
  if (report.queries) lines.push('', ...formatProbeLines(report.queries, { limit }));
  lines.push('', `Bottleneck (${report.bottleneck.kind}): ${report.bottleneck.sentence}`);
  if (report.handoff) lines.push(`Hand off to ${report.handoff.skill}: ${report.handoff.reason}`);
  lines.push('', 'Top by self time:', ...hotspotLines(report.topSelf, 'self', limit));
  lines.push('', 'Top by total time (callees included):', ...hotspotLines(report.topTotal, 'total', limit));
  if (report.packages.length > 1) lines.push('', `Packages: ${report.packages.slice(0, limit).map((p) => `${p.name} ${p.selfPercent}%`).join(', ')}`);
  if (report.heap && report.heap.topSites.length > 0) {
    lines.push('', `Allocation sites (${mb(report.heap.totalBytes)} sampled):`);
    for (const site of report.heap.topSites.slice(0, limit)) {
      lines.push(`  ${site.percent.toFixed(1).padStart(5)}%  ${mb(site.bytes).padStart(9)}  ${site.function}  ${where(site)}${site.package ? ` [${site.package}]` : ''}`);
      const path = site.paths[0];
      if (path && path.length > 1) lines.push(`          via ${path.slice(-4).join(' <- ')}`.replace(/ <- /g, ' -> '));
    }
  }
  if (report.heap?.timeline) lines.push('', `Heap over time: ${report.heap.timeline.sentence}`);
  if (report.processes.length > 1) {
    lines.push('', 'Processes:');
    for (const p of report.processes) lines.push(`  ${p.pid} ${p.argv.slice(1).join(' ')}: ${p.sampledMs} ms sampled, top ${p.top[0] ? `${p.top[0].function} ${p.top[0].selfPercent}%` : '-'}`);
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push('', `Files in ${report.output.dir}:`);
  lines.push(`  flame graph  ${report.output.flamegraph}`);
  lines.push(`  speedscope   ${report.output.speedscope} (open at speedscope.app or \`npx speedscope\`)`);
  for (const f of report.output.cpuprofiles) lines.push(`  DevTools     ${f}`);
  for (const f of report.output.heapprofiles) lines.push(`  heap         ${f}`);
  if (report.output.pstats) lines.push(`  pstats       ${report.output.pstats}`);
  lines.push(`  report       ${report.output.report}`);
  return `${lines.join('\n')}\n`;
}
