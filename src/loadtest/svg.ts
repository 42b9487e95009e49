/**
 * The latency distribution as a picture: latency against percentile, the percentile axis
 * logarithmic in "nines" (50%, 90%, 99%, 99.9% evenly spaced) as HdrHistogram's plotter draws
 * it, so the tail gets as much room as the median. Self-contained SVG: no script, no fonts, no network.
 */
const WIDTH = 720;
const HEIGHT = 360;
const PAD = { left: 64, right: 24, top: 36, bottom: 48 };

const nines = (percentile: number): number => -Math.log10(Math.max(1e-6, 1 - percentile / 100));
const escape = (text: string): string => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** `points` are (percentile, ms) pairs in ascending percentile; the 100th is drawn at the last tick. */
export function latencySvg(points: Array<[number, number]>, title: string): string {
  const finite = points.filter(([p]) => p < 100);
  const maxNines = Math.max(2, Math.ceil(nines(finite.at(-1)?.[0] ?? 99)));
  const maxMs = Math.max(1e-3, ...points.map(([, ms]) => ms));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (p: number): number => PAD.left + (Math.min(p >= 100 ? maxNines : nines(p), maxNines) / maxNines) * plotW;
  const y = (ms: number): number => PAD.top + plotH - (ms / maxMs) * plotH;
  const path = points.map(([p, ms], i) => `${i === 0 ? 'M' : 'L'}${x(p).toFixed(1)},${y(ms).toFixed(1)}`).join(' ');
  const xTicks = Array.from({ length: maxNines + 1 }, (_, k) => {
    const p = 100 * (1 - 10 ** -k);
    const label = `${Number(p.toFixed(Math.max(0, k - 2)))}%`;
    const at = x(p).toFixed(1);
    return `<line x1="${at}" y1="${PAD.top}" x2="${at}" y2="${PAD.top + plotH}" stroke="#ddd"/><text x="${at}" y="${HEIGHT - PAD.bottom + 18}" text-anchor="middle">${label}</text>`;
  }).join('');
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const ms = f * maxMs;
      const at = y(ms).toFixed(1);
      return `<line x1="${PAD.left}" y1="${at}" x2="${WIDTH - PAD.right}" y2="${at}" stroke="#eee"/><text x="${PAD.left - 6}" y="${(Number(at) + 4).toFixed(1)}" text-anchor="end">${Number(ms.toPrecision(3))}</text>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">
<title>${escape(title)}</title>
<rect width="100%" height="100%" fill="#fff"/>
<text x="${PAD.left}" y="20" font-size="13">${escape(title)}</text>
${yTicks}${xTicks}
<text x="14" y="${PAD.top + plotH / 2}" transform="rotate(-90 14 ${PAD.top + plotH / 2})" text-anchor="middle">latency (ms)</text>
<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 8}" text-anchor="middle">percentile (log scale of 1/(1-p))</text>
<path d="${path}" fill="none" stroke="#c0392b" stroke-width="2"/>
</svg>
`;
}
