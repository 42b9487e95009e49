/**
 * Words as the handoff matcher sees them: lower-cased, stemmed (slow/slower/slowly, query/queries),
 * and folded into a few concepts through a small synonym table ("sluggish", "takes 2s" and
 * "latency" all read as `slow`; "db" as `database`; "embeddings" as `vector`). Triggers and user
 * text go through the same functions, so both sides always agree on a word's form.
 */

export interface Token {
  /** The normalised form that is compared: a concept from the synonym table or a stem. */
  key: string;
  /** The words as the user wrote them, for `matched`. */
  raw: string;
  /** Position in the text; sentences are set far apart so no phrase matches across a full stop. */
  pos: number;
  stop: boolean;
}

/** Function words: they never have to match, and they do not count as evidence. */
const STOP_WORDS = new Set(
  (
    'a an the and or but if then else of to in on at by for from with without into onto over under about as ' +
    'is are was were be been being am do does did done doing have has had having get gets got getting ' +
    'i me my we us our ours you your it its this that these those there here they them their he she his her ' +
    'what which who whom whose when where why how all any both each few more most other some such no nor not ' +
    'only own same so than too very can could should would will shall may might must just also really still ' +
    'please need needs want wants like make makes made let lets up down out off again once even much many ' +
    "can't cannot don't doesn't isn't aren't won't it's we're i'm after before because while since until"
  ).split(/\s+/),
);

/**
 * Words too common to prove a domain on their own ("write a poem about graphs" is not graph work).
 * They still count inside a longer phrase ("graph queries are slow").
 */
export const GENERIC_KEYS: ReadonlySet<string> = new Set();

/**
 * Synonyms fold into one concept key. Keys are surface words or stems; the value is the concept.
 * `slow` is the concept of "too slow / make faster": what the Performance Hunter is called for.
 */
const SYNONYMS: Record<string, string> = {
  slow: 'slow', sluggish: 'slow', laggy: 'slow', lag: 'slow', lagging: 'slow', lags: 'slow',
  latency: 'slow', latencies: 'slow', timeout: 'slow', timeouts: 'slow', hang: 'slow', hangs: 'slow',
  hanging: 'slow', stall: 'slow', stalls: 'slow', stalled: 'slow', stalling: 'slow', crawl: 'slow',
  crawling: 'slow', fast: 'slow', faster: 'slow', fastest: 'slow', speed: 'slow', speedup: 'slow',
  quick: 'slow', quicker: 'slow', delay: 'slow', delays: 'slow', delayed: 'slow',
  db: 'database', dbs: 'database', database: 'database', databases: 'database',
  postgres: 'postgres', postgresql: 'postgres', pg: 'postgres', psycopg: 'postgres', psycopg2: 'postgres', asyncpg: 'postgres',
  vector: 'vector', vectors: 'vector', embedding: 'vector', embeddings: 'vector',
  lookup: 'search', lookups: 'search', retrieval: 'search', retrieve: 'search', retrieves: 'search', retrieving: 'search',
  kafkajs: 'kafka', temporalio: 'temporal',
  encrypt: 'encrypt', encrypts: 'encrypt', encryption: 'encrypt', encrypted: 'encrypt', encrypting: 'encrypt',
  decrypt: 'encrypt', decrypts: 'encrypt', decryption: 'encrypt', decrypted: 'encrypt', decrypting: 'encrypt',
  crypto: 'encrypt', cryptography: 'encrypt', cryptographic: 'encrypt', cipher: 'encrypt',
  perf: 'performance', performant: 'performance',
  optimise: 'optimiz', optimize: 'optimiz', optimised: 'optimiz', optimized: 'optimiz', optimising: 'optimiz',
  optimizing: 'optimiz', optimisation: 'optimiz', optimization: 'optimiz', tune: 'optimiz', tuning: 'optimiz', tuned: 'optimiz',
  quantization: 'quantiz', quantisation: 'quantiz', quantize: 'quantiz', quantise: 'quantiz', quantized: 'quantiz', quantised: 'quantiz',
  pii: 'privacy', gdpr: 'privacy',
};

const GENERIC_WORDS =
  'graph graphs memory memories event events message data search query database system design model workflow work worker ' +
  'stream agent security api performance index cache caching test code ml ai service app queue job task schedule pipeline ' +
  'scale state time user log network server client request response file process thread async page load run build tool ' +
  'problem issue slow optimize pattern strategy implement implementation retrieval storage store new big large small good ' +
  'fast better best help kind type way thing set use layer group manage handle debug fix error';
for (const word of GENERIC_WORDS.split(/\s+/)) (GENERIC_KEYS as Set<string>).add(keyOf(word));

/** Concept keys that say "this is about speed" wherever they appear. */
export const PERF_KEYS = new Set(['slow', 'performance', 'optimiz', 'throughput', 'bottleneck', 'overhead', 'backlog', 'p99', 'p95', 'p50', 'p999']);

/** Symptoms that are speed problems though they say no "slow": a seq scan, an unused index, bloat. */
const SPEED_SYMPTOMS = /\b(?:explain analy[sz]e|seq(?:uential)? scans?|full (?:table )?scans?|missing index(?:es)?|index(?:es)? (?:is|are)(?: not|n't) used|(?:table|index) bloat|cache miss(?:es)?|hot ?path|bloated)\b/i;

/** Whether a text is about speed at all: a concept from PERF_KEYS or a known symptom. */
export function mentionsSpeed(raw: string, keys: (key: string) => boolean): boolean {
  return [...PERF_KEYS].some(keys) || SPEED_SYMPTOMS.test(raw);
}

/** Rewritten before tokenising: durations ("takes 2s", "300 ms") and "times out" mean slow. */
const PHRASE_REWRITES: Array<[RegExp, string]> = [
  [/\b\d+(?:[.,]\d+)?\s*(?:ms|msec|millis(?:econds?)?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?)\b/gi, 'slow'],
  [/\btim(?:e|es|ed|ing)[ -]?outs?\b/gi, 'slow'],
  [/\b(?:takes?|taking|took) (?:forever|ages|too long)\b/gi, 'slow'],
  [/\bcan(?:no|')?t keep up\b/gi, 'slow'],
];

const WORD = /[a-z0-9]+(?:'[a-z]+)?/g;
const SENTENCE_GAP = 1000;

/** Light suffix stripping, the same for both sides. Not a linguist's stemmer: it only has to agree with itself. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /\d/.test(w)) return w;
  const strip = (suffix: string, min: number, add = ''): boolean => {
    if (w.endsWith(suffix) && w.length - suffix.length >= min) {
      w = w.slice(0, -suffix.length) + add;
      return true;
    }
    return false;
  };
  // One suffix rule, the first that applies; order matters (longest, most specific first).
  const rules: Array<() => boolean> = [
    () => strip('ies', 2, 'y'),
    () => strip('ied', 2, 'y'),
    () => strip('sses', 2, 'ss'),
    () => strip('ations', 3),
    () => strip('ation', 3),
    () => strip('ings', 3),
    () => strip('ing', 3),
    () => strip('ers', 3),
    () => strip('ed', 3),
    () => strip('ly', 3),
    () => strip('er', 3),
    () => strip('est', 4),
    () => /(x|ch|sh|ss)es$/.test(w) && strip('es', 3),
    () => !/(ss|us|is)$/.test(w) && strip('s', 3),
  ];
  rules.some((rule) => rule());
  if (/([b-df-hj-km-np-tv-z])\1$/.test(w) && !/(ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  if (w.length > 4 && w.endsWith('at')) w = w.slice(0, -2); // consolidate/consolidation -> consolid
  return w;
}

/** The key a single word is compared by. */
export function keyOf(word: string): string {
  const lower = word.toLowerCase().replace(/'s$/, '');
  const direct = SYNONYMS[lower];
  if (direct) return direct;
  const stemmed = stem(lower);
  return SYNONYMS[stemmed] ?? stemmed;
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word.toLowerCase());
}

/** Splits text into tokens, sentence by sentence. */
export function analyse(text: string): Token[] {
  const tokens: Token[] = [];
  let base = 0;
  for (const sentence of text.split(/[.!?;]+(?:\s|$)|\n/)) {
    // A rewritten span is fenced with \u0000 so it becomes one `slow` token that keeps the user's words.
    let marked = sentence;
    for (const [pattern, concept] of PHRASE_REWRITES) marked = marked.replace(pattern, (m) => `\u0000${concept}\u0001${m.trim()}\u0000`);
    let pos = 0;
    marked.split('\u0000').forEach((part, i) => {
      if (i % 2 === 1) {
        const [concept, original] = part.split('\u0001') as [string, string];
        tokens.push({ key: concept, raw: original, pos: base + pos++, stop: false });
        return;
      }
      for (const m of part.toLowerCase().matchAll(WORD)) {
        tokens.push({ key: keyOf(m[0]), raw: m[0], pos: base + pos++, stop: isStopWord(m[0]) });
      }
    });
    base += SENTENCE_GAP;
  }
  return tokens;
}

/** The content keys of a phrase (stop words dropped), in order, without repeats. */
export function phraseKeys(phrase: string): readonly string[] {
  let keys = phraseKeyMemo.get(phrase);
  if (keys) return keys;
  const found: string[] = [];
  for (const token of analyse(phrase)) {
    if (!token.stop && !found.includes(token.key)) found.push(token.key);
  }
  keys = Object.freeze(found);
  if (phraseKeyMemo.size >= MEMO_LIMIT) phraseKeyMemo.clear();
  phraseKeyMemo.set(phrase, keys);
  return keys;
}

/**
 * Skills' triggers and boundaries are analysed again for every text they are matched against (a
 * lint run asks for a handoff hint per distinct finding): memoised, they cost ~0.25 s less on
 * Django's 67 findings. Bounded, since user texts pass through here too.
 */
const MEMO_LIMIT = 20_000;
const phraseKeyMemo = new Map<string, readonly string[]>();
