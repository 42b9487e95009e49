/**
 * Shared by the `embedding` family: the calls that compute embeddings, the clients whose generic
 * `embed`/`encode` methods do, and the signs that a cache sits in front (a lookup before the call,
 * a memoising wrapper or decorator).
 */
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { PY_READ_CALLS, TS_READ_CALLS } from '../cache/helpers.js';

type Ts = typeof TsApi;

export const TS_EMBEDDING_CALLS = [
  '*.embeddings.create', '*.embedQuery', '*.embedDocuments', 'ai.embed', 'ai.embedMany', '*.embedContent',
  '*.batchEmbedContents', 'cohere-ai.CohereClient().embed', 'cohere-ai.CohereClientV2().embed',
  'voyageai.VoyageAIClient().embed', '@huggingface/inference.HfInference().featureExtraction',
];
export const TS_EMBEDDING_CLIENTS = ['cohere-ai.CohereClient', 'cohere-ai.CohereClientV2', 'voyageai.VoyageAIClient', '@huggingface/inference.HfInference'];

export const PY_EMBEDDING_CALLS = [
  '*.embeddings.create', 'embed_query', '*.embed_query', 'embed_documents', '*.embed_documents', '*.aembed_query',
  '*.aembed_documents', '*.embed_content', 'litellm.embedding', 'litellm.aembedding',
  'sentence_transformers.SentenceTransformer().encode', 'voyageai.Client().embed', 'voyageai.AsyncClient().embed',
  'cohere.Client().embed', 'cohere.ClientV2().embed', 'cohere.AsyncClient().embed', 'cohere.AsyncClientV2().embed',
];
export const PY_EMBEDDING_CLIENTS = [
  'sentence_transformers.SentenceTransformer', 'voyageai.Client', 'voyageai.AsyncClient', 'cohere.Client',
  'cohere.ClientV2', 'cohere.AsyncClient', 'cohere.AsyncClientV2',
];

/** Cache lookups: the cache family's reads plus batch reads and membership tests. */
export const TS_CACHE_LOOKUPS = [
  ...TS_READ_CALLS, '*.mget', '*.mGet', '*.hget', '*.hGet', '*.hmget', '*.hmGet', '*.getMany', '*.getMultiple',
  '**.*cache*.has', '**.*Cache*.has', '**.*cache*.mget', '**.*Cache*.mget',
  // an in-process Map used as the cache
  'Map().get', 'Map().has',
];
export const PY_CACHE_LOOKUPS = [...PY_READ_CALLS, '*.mget', '*.hget', '*.hmget', '*.get_many', '**.*cache*.get', '**.*cache*.has_key'];

/** Wrappers that memoise the function they are given: `memoize(async (text) => embed(text))`. */
export const TS_MEMOIZERS = ['memoize', '*.memoize', 'lodash.memoize', 'p-memoize', 'mem', 'moize', 'react.cache', 'next/cache.unstable_cache', 'cache', 'useMemo'];
/** Decorators that memoise: `@lru_cache`, `@cache`, `@cached(...)`, `@alru_cache`. */
export const PY_MEMOIZERS = ['functools.lru_cache', 'functools.cache', 'lru_cache', 'cache', 'cached', '*.cached', 'cachetools.cached', 'alru_cache', 'async_lru.alru_cache', '*.memoize'];

/** A loop over chunks embeds a batch per iteration, not one text per item. */
const BATCH_NAME = /batch|chunk|page|slice/i;

export function isBatchLoopTs(ts: Ts, loop: TsApi.Node, iterable: TsApi.Expression | undefined, bindings: Set<string>): boolean {
  if ([...bindings].some((b) => BATCH_NAME.test(b))) return true;
  if (iterable && ts.isCallExpression(iterable) && BATCH_NAME.test(iterable.expression.getText())) return true;
  // for (let i = 0; i < texts.length; i += 100)
  if (ts.isForStatement(loop) && loop.incrementor && ts.isBinaryExpression(loop.incrementor)) {
    const { operatorToken, right } = loop.incrementor;
    return operatorToken.kind === ts.SyntaxKind.PlusEqualsToken && !(ts.isNumericLiteral(right) && right.text === '1');
  }
  return false;
}

export function isBatchLoopPy(iterable: PyNode | undefined, bindings: Set<string>): boolean {
  if ([...bindings].some((b) => BATCH_NAME.test(b))) return true;
  if (iterable?.type !== 'call') return false;
  const fn = iterable.childForFieldName('function')?.text ?? '';
  if (BATCH_NAME.test(fn)) return true;
  // range(0, len(texts), 100)
  return fn === 'range' && (iterable.childForFieldName('arguments')?.namedChildren.length ?? 0) === 3;
}

const PY_ROUTE_DECORATOR = /\.(get|post|put|patch|delete|route|api_route|websocket)$|^(api_view|require_http_methods|require_GET|require_POST)$/;

/** A Python function that serves a request: a route decorator, or a view taking `request`. */
export function isPyRequestHandler(fn: PyNode, decoratorNames: string[]): boolean {
  if (decoratorNames.some((d) => PY_ROUTE_DECORATOR.test(d))) return true;
  const params = (fn.childForFieldName('parameters')?.namedChildren ?? []).map((p) =>
    p?.type === 'identifier' ? p.text : p?.type === 'typed_parameter' ? p.namedChildren[0]?.text ?? '' : '',
  );
  const first = params[0] === 'self' ? params[1] : params[0];
  return first === 'request' || first === 'req';
}

/** The decorators of a `def`, as written (`app.get`, `lru_cache`), without their arguments. */
export function decoratorsOf(fn: PyNode): PyNode[] {
  const parent = fn.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return parent.namedChildren
    .filter((c): c is PyNode => c?.type === 'decorator')
    .map((d) => {
      const expr = d.namedChildren[0]!;
      return expr.type === 'call' ? expr.childForFieldName('function') ?? expr : expr;
    });
}
