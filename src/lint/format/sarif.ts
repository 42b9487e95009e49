/**
 * SARIF 2.1.0, the format code-scanning services read (GitHub, Azure DevOps, VS Code's viewer).
 * Locations are relative to the working directory under `%SRCROOT%`, so the file is portable
 * between the CI checkout and a developer's clone. `partialFingerprints` hash the rule, the
 * normalised source line and its occurrence in the file (not the line number), so a finding keeps
 * its identity when code above it moves.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Finding, FindingSeverity, LintReport, RuleInfo } from '../schema.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const FINGERPRINT_KEY = 'perfHunterFindingHash/v1';

export interface SarifOptions {
  /** The working directory findings are relative to (becomes `%SRCROOT%`). */
  cwd: string;
  toolVersion: string;
  informationUri?: string;
}

type SarifLevel = 'error' | 'warning' | 'note';
const LEVEL: Record<FindingSeverity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

export function toSarif(report: LintReport, options: SarifOptions): Record<string, unknown> {
  const infos = new Map<string, RuleInfo | undefined>((report.ruleInfo ?? []).map((r) => [r.id, r]));
  for (const f of report.findings) if (!infos.has(f.ruleId)) infos.set(f.ruleId, undefined);
  const ids = [...infos.keys()];
  const index = new Map(ids.map((id, i) => [id, i]));
  const occurrences = new Map<string, number>();

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'perf-hunter',
            version: options.toolVersion,
            informationUri: options.informationUri ?? 'https://www.npmjs.com/package/perf-hunter',
            rules: ids.map((id) => sarifRule(id, infos.get(id), report.findings.find((f) => f.ruleId === id))),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: directoryUri(options.cwd) } },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: report.errors.map((e) => ({
              level: 'error',
              message: { text: `${e.file}: ${e.message}` },
            })),
          },
        ],
        results: report.findings.map((f) => {
          const normalised = f.sourceLine.trim().replace(/\s+/g, ' ');
          const key = `${f.file}\u0000${f.ruleId}\u0000${normalised}`;
          const occurrence = occurrences.get(key) ?? 0;
          occurrences.set(key, occurrence + 1);
          return {
            ruleId: f.ruleId,
            ruleIndex: index.get(f.ruleId),
            level: LEVEL[f.severity],
            message: { text: `${f.message} Fix: ${f.fix}` },
            locations: [{ physicalLocation: physicalLocation(f) }],
            partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f.ruleId, normalised, occurrence) },
            properties: { sharpEdge: f.sharpEdge, ...(f.handoff ? { handoff: f.handoff } : {}) },
          };
        }),
      },
    ],
  };
}

export function formatSarif(report: LintReport, options: SarifOptions): string {
  return `${JSON.stringify(toSarif(report, options), null, 2)}\n`;
}

export function fingerprint(ruleId: string, normalisedLine: string, occurrence: number): string {
  return createHash('sha256').update(`${ruleId}\u0000${normalisedLine}\u0000${occurrence}`).digest('hex').slice(0, 32);
}

function physicalLocation(f: Finding): Record<string, unknown> {
  const absolute = f.file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(f.file);
  return {
    artifactLocation: absolute
      ? { uri: pathToFileURL(f.file).href }
      : { uri: f.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' },
    region: {
      startLine: f.line,
      startColumn: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      snippet: { text: f.sourceLine },
    },
  };
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function sarifRule(id: string, info: RuleInfo | undefined, sample: Finding | undefined): Record<string, unknown> {
  const severity = info?.severity ?? sample?.severity ?? 'warning';
  const name = info?.name ?? id;
  const short = info?.sharpEdgeSummary ?? name;
  const full = info?.description ?? sample?.message ?? name;
  const fix = info?.fix ?? sample?.fix ?? '';
  const sections: Array<[string, string | undefined]> = [
    ['Situation', info?.situation],
    ['Why it hurts', info?.why],
    ['Solution', info?.solution],
    ['Fix', fix],
    ['When not to use', info?.whenNotToUse],
  ];
  const present = sections.filter((s): s is [string, string] => Boolean(s[1]?.trim()));
  const edge = info?.sharpEdge ?? sample?.sharpEdge;
  const more = edge ? `Run \`perf-hunter explain ${edge}\` for the full sharp edge.` : '';
  return {
    id,
    name: pascal(name),
    shortDescription: { text: oneLine(short) },
    fullDescription: { text: oneLine(full) },
    help: {
      text: [...present.map(([title, text]) => `${title}: ${text.trim()}`), more].filter(Boolean).join('\n\n'),
      markdown: [...present.map(([title, text]) => `**${title}**\n\n${text.trim()}`), more].filter(Boolean).join('\n\n'),
    },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: {
      tags: ['performance', ...(info?.family ? [info.family] : []), ...(edge ? [edge] : [])],
      ...(edge ? { sharpEdge: edge } : {}),
      ...(info?.detector ? { detector: info.detector } : {}),
    },
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** SARIF's `name` is an identifier-like word (`NPlusOne`), readable where ids are not shown. */
function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}
