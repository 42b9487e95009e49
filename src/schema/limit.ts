/** The `limit` every paged tool takes: a whole number in range, with messages that say the range. */
import { z } from 'zod';

export function limitParam(max: number, defaultValue: number, description: string, overMax = '') {
  const range = `limit must be a whole number from 1 to ${max}`;
  return z
    .number({ error: range })
    .int({ error: range })
    .min(1, { error: 'limit must be at least 1' })
    .max(max, { error: `limit must be at most ${max}${overMax}` })
    .default(defaultValue)
    .describe(description);
}
