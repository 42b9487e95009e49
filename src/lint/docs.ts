/**
 * Detector documentation for `explain`: a validation backed by an AST detector is only half
 * explained by its YAML; the detector's own docs say what it flags, what it leaves alone and why.
 * The detector modules import their parsers as types only, so loading the registry stays cheap.
 */
import { z } from 'zod';

export const DetectorDoc = z.object({
  id: z.string(),
  family: z.string(),
  languages: z.array(z.string()),
  confidence: z.string(),
  status: z.string(),
  why: z.string(),
  example: z.record(z.string(), z.string()).describe('Code the detector flags, per language.'),
  useInstead: z.record(z.string(), z.string()).describe('The fix, per language; not flagged.'),
  whenNotToUse: z.string().describe('Legitimate look-alikes the detector leaves alone.'),
  references: z.array(z.string()),
});
export type DetectorDoc = z.infer<typeof DetectorDoc>;

/** The docs of a registered detector, or undefined for an id no detector has. */
export async function detectorDoc(id: string): Promise<DetectorDoc | undefined> {
  const { detectorById } = await import('./detectors/index.js');
  const detector = detectorById.get(id);
  if (!detector) return undefined;
  return {
    id: detector.id,
    family: detector.family,
    languages: [...detector.languages],
    confidence: detector.confidence,
    status: detector.status,
    why: detector.docs.why,
    example: compact(detector.docs.example),
    useInstead: compact(detector.docs.useInstead),
    whenNotToUse: detector.docs.whenNotToUse,
    references: detector.docs.references,
  };
}

function compact(perLanguage: Partial<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(perLanguage).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
