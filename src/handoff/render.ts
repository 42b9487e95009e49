/** The readable form of a HandoffResult, for the CLI and the MCP tool's text content. */
import type { HandoffResult } from './schema.js';

export function renderHandoff(result: HandoffResult): string {
  const out = [result.summary, ''];
  result.handoffs.forEach((h, i) => {
    out.push(`${i + 1}. ${h.skill}${h.loaded ? ` (${h.name ?? h.skill})` : ' (not loaded)'} — ${h.pattern}, confidence ${h.confidence}`);
    out.push(`   why:     ${h.why}`);
    out.push(`   pass:    ${h.context}`);
    out.push(`   expect:  ${h.receive}`);
    out.push(`   trigger: ${h.trigger}`);
  });
  if (result.stay) out.push(`stay (${result.stay.confidence}): ${result.stay.reason}`);
  if (result.defer) {
    const who = result.defer.skill ? `${result.defer.skill}${result.defer.loaded ? '' : ' (not loaded)'}` : 'no skill named';
    out.push(`defer to ${who} (${result.defer.confidence}): ${result.defer.reason}`);
  }
  while (out.at(-1) === '') out.pop();
  return `${out.join('\n')}\n`;
}
