/**
 * What the runtime probe reports: per route, queries and outbound calls per request, the most
 * repeated query shape, and the runtime N+1 verdict. `profile` (with load) and `load_test` (with
 * a target it starts) carry it as `queries`; types come from these schemas.
 */
import { z } from 'zod';

export const N_PLUS_ONE_SHARP_EDGE = 'n-plus-one-queries';

export const RepeatedQuery = z.object({
  /** The query with literals and placeholders as `?` and IN lists collapsed. */
  shape: z.string(),
  /** Times it ran per request, over the requests where it ran more than once. */
  perRequest: z.object({ mean: z.number(), min: z.number().int(), max: z.number().int() }),
  /** Requests of the route in which it ran more than once. */
  requests: z.number().int(),
  /** The query whose row count equalled the repeat count (one query per row of that result), if any. */
  parentShape: z.string().nullable(),
  /** Share of those requests in which the repeat count equalled the parent's rows. */
  parentMatchedPercent: z.number(),
});
export type RepeatedQuery = z.infer<typeof RepeatedQuery>;

export const RuntimeNPlusOne = z.object({
  sharpEdge: z.literal(N_PLUS_ONE_SHARP_EDGE),
  route: z.string(),
  shape: z.string(),
  perRequestMax: z.number().int(),
  /** Why it counts as N+1 and not a fixed repeat: "ran once per row of ...", "grew from 10 to 50 ...". */
  evidence: z.string(),
});
export type RuntimeNPlusOne = z.infer<typeof RuntimeNPlusOne>;

export const RouteQueries = z.object({
  /** Method and path, ids (segments with digits) as `:id`, no query string. */
  route: z.string(),
  requests: z.number().int(),
  queriesPerRequest: z.object({ mean: z.number(), min: z.number().int(), max: z.number().int() }),
  outboundPerRequest: z.object({ mean: z.number(), max: z.number().int() }),
  /** The query repeated most within a request; null when no query ran twice in one request. */
  topRepeated: RepeatedQuery.nullable(),
  nPlusOne: RuntimeNPlusOne.nullable(),
});
export type RouteQueries = z.infer<typeof RouteQueries>;

export const ProbeReport = z.object({
  /** Query libraries the probe wrapped in the target (pg, mysql2, better-sqlite3, pglite). */
  libraries: z.array(z.string()),
  /** Target processes that served requests. */
  processes: z.number().int(),
  routes: z.array(RouteQueries),
  nPlusOne: z.array(RuntimeNPlusOne),
  notes: z.array(z.string()),
});
export type ProbeReport = z.infer<typeof ProbeReport>;
