/**
 * no-timeout: outbound HTTP with no deadline. `fetch` without a `signal`, axios/got calls and
 * instances without `timeout` (or with `timeout: 0`), `http(s).request/get` without a timeout or
 * `req.setTimeout`, `undici.request` without one; Python `requests.*` (and `requests.Session`
 * calls: a session has no default) without `timeout=`, `urlopen` without one, and `timeout=None`
 * on httpx and aiohttp, whose defaults are otherwise fine.
 */
import { z } from 'zod';
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { defineDetector } from '../../define.js';
import { anyOf, compileShapes, compileTsShapes, requireAll, shapeLiterals } from '../../engine/names.js';
import { perLanguageShapes, shapesFor, tsShapes } from '../../options.js';
import {
  argsOfPy,
  isNoneValuePy,
  isNoneValueTs,
  objectPropsTs,
  PyInstances,
  ScopedNames,
  scopeOfPy,
  TsInstances,
  TsObjectConsts,
  unwrapTs,
} from '../../engine/instances.js';

/** Where axios takes its config, by method: `get(url, config)`, `post(url, data, config)`. */
const AXIOS_CONFIG_INDEX: Record<string, number> = {
  get: 1, delete: 1, head: 1, options: 1, post: 2, put: 2, patch: 2, postForm: 2, putForm: 2, patchForm: 2, request: 0,
};
const GOT_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'stream', 'paginate'];
const REQUESTS_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request'];

const TS_FACTORIES = ['axios.create', 'got.extend'];
const TS_HTTP_CALLS = [
  'fetch', 'node-fetch', 'cross-fetch', 'undici.fetch', 'undici.request', 'undici.stream',
  'http.request', 'http.get', 'https.request', 'https.get',
  'axios', ...Object.keys(AXIOS_CONFIG_INDEX).map((m) => `axios.${m}`),
  'axios.create()', ...Object.keys(AXIOS_CONFIG_INDEX).map((m) => `axios.create().${m}`),
  'got', ...GOT_METHODS.map((m) => `got.${m}`),
  'got.extend()', ...GOT_METHODS.map((m) => `got.extend().${m}`),
];
const PY_FACTORIES = ['requests.Session', 'requests.session', 'httpx.Client', 'httpx.AsyncClient', 'aiohttp.ClientSession'];
const PY_HTTP_CALLS = [
  ...REQUESTS_METHODS.map((m) => `requests.${m}`),
  ...REQUESTS_METHODS.map((m) => `requests.Session().${m}`),
  ...REQUESTS_METHODS.map((m) => `requests.session().${m}`),
  'urllib.request.urlopen',
];
/** These have a deadline by default (httpx: 5 s, aiohttp: 5 min, ky: 10 s): flagged only when it is turned off. */
const TS_DEFAULT_TIMEOUT = ['ky', 'ky.*', 'ky.create', 'ky.extend'];
const PY_DEFAULT_TIMEOUT = [
  ...REQUESTS_METHODS.map((m) => `httpx.${m}`), 'httpx.stream', 'httpx.Client', 'httpx.AsyncClient',
  'httpx.Client().*', 'httpx.AsyncClient().*', 'aiohttp.ClientSession', 'aiohttp.ClientSession().*', 'aiohttp.request',
];

type Style = 'fetch' | 'axios' | 'got' | 'undici' | 'node-http' | 'other';

function styleOf(name: string): Style {
  if (/^(fetch|node-fetch|cross-fetch|undici\.fetch)$/.test(name)) return 'fetch';
  if (/^undici\./.test(name)) return 'undici';
  if (/^https?\./.test(name)) return 'node-http';
  if (/^axios(\.|$)/.test(name)) return 'axios';
  if (/^got(\.|$)/.test(name)) return 'got';
  return 'other';
}

const TS_HINT: Record<Style, string> = {
  fetch: '`{ signal: AbortSignal.timeout(5000) }`',
  axios: '`{ timeout: 5000 }` (per call or on the instance)',
  got: '`{ timeout: { request: 5000 } }`',
  undici: '`{ headersTimeout, bodyTimeout }` or a `signal`',
  'node-http': '`{ timeout: 5000 }` and abort on the `timeout` event (or `req.setTimeout`)',
  other: 'a timeout or an AbortSignal',
};
const PY_HINT = '`timeout=5` (or `timeout=(3.05, 27)` for connect and read)';

export default defineDetector({
  id: 'no-timeout',
  family: 'http',
  sharpEdge: 'p99-hidden-by-average',
  severity: 'medium',
  confidence: 'high',
  status: 'stable',
  requiresTypeInfo: false,
  fix: 'Pass a deadline: `fetch(url, { signal: AbortSignal.timeout(5000) })`, axios `{ timeout: 5000 }` (per call or on the instance), `requests.get(url, timeout=5)`; never `timeout=None` / `timeout: 0`.',
  docs: {
    why:
      'An outbound call without a deadline waits as long as the upstream does. When a dependency hangs, every request that calls it hangs too, holding its socket, its DB connection and its memory: the p99 becomes "forever" while the average still looks fine, and the pool of workers or connections drains.',
    example: {
      typescript: `import axios from 'axios';\nexport async function quote(symbol: string) {\n  const res = await axios.get(\`https://quotes.example.com/\${symbol}\`);\n  return res.data;\n}\n`,
      python: `import requests\n\ndef quote(symbol):\n    return requests.get(f"https://quotes.example.com/{symbol}").json()\n`,
    },
    useInstead: {
      typescript: `import axios from 'axios';\nexport async function quote(symbol: string) {\n  const res = await axios.get(\`https://quotes.example.com/\${symbol}\`, { timeout: 2000 });\n  return res.data;\n}\n`,
      python: `import requests\n\ndef quote(symbol):\n    return requests.get(f"https://quotes.example.com/{symbol}", timeout=5).json()\n`,
    },
    whenNotToUse:
      'Calls whose client already carries a deadline are left alone: an axios/got instance created in the file with `timeout` (or `instance.defaults.timeout = ...`, `axios.defaults.timeout = ...`), `httpx` calls and clients (5 s default) and aiohttp sessions (5 min default) unless `timeout=None`, ky (10 s default), a `requests.Session` with a mounted adapter, `urlopen` after `socket.setdefaulttimeout`, `http.request` followed by `req.setTimeout`, a `dispatcher`/`agent` option, and options passed as `**kwargs`/`...spread` or a variable the detector cannot read. `fetch("/relative")` is browser code (Node rejects relative URLs) and holds no server request.',
    references: [
      'https://requests.readthedocs.io/en/latest/user/advanced/#timeouts',
      'https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal/timeout_static',
      'https://axios-http.com/docs/req_config',
      'https://www.python-httpx.org/advanced/timeouts/',
    ],
  },
  messages: {
    noTimeout: '{{call}} has no timeout: a hung upstream holds this request open indefinitely; pass {{hint}}.',
    timeoutDisabled: '{{call}} turns its timeout off ({{what}}): a hung upstream holds this request open indefinitely.',
    clientWithoutTimeout: '{{call}} builds an exported HTTP client with no timeout: every call through it can hang; set {{hint}}.',
  },
  options: z.object({
    /** Outbound calls with no deadline of their own: flagged unless a timeout is passed. */
    httpCalls: perLanguageShapes({ typescript: TS_HTTP_CALLS, python: PY_HTTP_CALLS }),
    /** Calls and clients with a default deadline: flagged only when it is turned off. */
    defaultTimeoutCalls: perLanguageShapes({ typescript: TS_DEFAULT_TIMEOUT, python: PY_DEFAULT_TIMEOUT }),
    /** Option keys / keyword arguments that carry a deadline. */
    timeoutKeys: perLanguageShapes({ typescript: ['timeout', 'signal', 'headersTimeout', 'bodyTimeout'], python: ['timeout'] }),
    /** Client factories whose instances are followed (`const api = axios.create({ timeout })`). */
    clientFactories: perLanguageShapes({ typescript: TS_FACTORIES, python: PY_FACTORIES }),
    /** Resolved names never to flag. */
    ignore: z.array(z.string()).default([]),
  }),
  // Every finding is on an HTTP call, a client factory or a call with a default deadline turned off.
  requires: (options, language) =>
    requireAll(
      anyOf(
        shapeLiterals(shapesFor(options.httpCalls, language)),
        shapeLiterals(shapesFor(options.defaultTimeoutCalls, language)),
        shapeLiterals(shapesFor(options.clientFactories, language)),
      ),
    ),
  visit: {
    typescript: (ctx, options) => {
      const ts = ctx.ts;
      const isHttp = compileTsShapes(options.httpCalls);
      const hasDefault = compileTsShapes(options.defaultTimeoutCalls);
      const isIgnored = compileShapes(options.ignore);
      const timeoutKeys = tsShapes(options.timeoutKeys);
      const isFactory = compileTsShapes(options.clientFactories);
      const instances = new TsInstances(ts, ctx.names, isFactory);
      const consts = new TsObjectConsts(ts);
      /** Receivers given a deadline somewhere in the file: `axios.defaults.timeout = 5000`, `req.setTimeout(...)`. */
      const withDefaults = new Set<string>();
      let globalDispatcher = false;
      const pending: { node: TsApi.CallExpression; name: string; style: Style; receiver?: string }[] = [];
      const exported: { node: TsApi.CallExpression; name: string; local: string }[] = [];

      type Verdict = 'ok' | 'missing' | 'unknown' | { disabled: string };
      /** Does an options argument give a deadline? */
      const judgeOptions = (arg: TsApi.Expression | undefined): Verdict => {
        if (!arg) return 'missing';
        const literal = consts.literalOf(arg);
        if (!literal) return 'unknown';
        const obj = objectPropsTs(ts, literal)!;
        for (const key of timeoutKeys) {
          if (!obj.props.has(key)) continue;
          const value = obj.props.get(key);
          return isNoneValueTs(ts, value) ? { disabled: `${key}: ${value?.getText(ctx.sourceFile)}` } : 'ok';
        }
        if (obj.spread || obj.props.has('dispatcher') || obj.props.has('agent')) return 'unknown';
        return 'missing';
      };
      const isObjectArg = (arg: TsApi.Expression | undefined): boolean =>
        arg !== undefined && consts.literalOf(arg) !== undefined;
      const isStringish = (arg: TsApi.Expression | undefined): boolean =>
        arg !== undefined && (ts.isStringLiteralLike(arg) || ts.isTemplateExpression(arg));

      /** The argument holding the request options, by client style; undefined = no such slot. */
      const optionsArg = (style: Style, name: string, call: TsApi.CallExpression): TsApi.Expression | undefined | 'unknown' => {
        const args = call.arguments;
        const [first, second] = args;
        const method = name.split('.').pop() ?? '';
        switch (style) {
          case 'fetch':
          case 'undici':
            return second;
          case 'node-http':
            return isObjectArg(first) ? first : isObjectArg(second) ? second : undefined;
          case 'axios': {
            const index = AXIOS_CONFIG_INDEX[method];
            if (index !== undefined && !/^axios(\.create\(\))?$/.test(name)) return args[index];
            // `axios(config)` or `axios(url, config)`
            if (isObjectArg(first)) return first;
            return isStringish(first) ? second : 'unknown';
          }
          case 'got':
            return isObjectArg(first) ? first : second;
          default:
            return args.find((a) => isObjectArg(a)) ?? (args.some((a) => !isStringish(a)) ? 'unknown' : undefined);
        }
      };

      return {
        VariableDeclaration(node) {
          consts.observe(node);
          instances.observe(node);
          // `export const api = axios.create({ baseURL })`: calls through it live in other files.
          const init = node.initializer ? unwrapTs(ts, node.initializer) : undefined;
          const statement = node.parent?.parent;
          if (
            init && ts.isCallExpression(init) && ts.isIdentifier(node.name) && statement && ts.isVariableStatement(statement) &&
            ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
          ) {
            const name = instances.factoryName(init);
            if (isFactory(name)) exported.push({ node: init, name: name!, local: node.name.text });
          }
        },
        PropertyDeclaration(node) {
          instances.observe(node);
        },
        BinaryExpression(node) {
          instances.observe(node);
          if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
          const left = ctx.names.qualifiedName(node.left);
          const match = left ? /^(.+)\.defaults\.(timeout|signal)$/.exec(left) : null;
          if (match && !isNoneValueTs(ts, node.right)) withDefaults.add(match[1]!);
        },
        CallExpression(node) {
          const callee = node.expression;
          // `req.setTimeout(...)` / `req.on('timeout', ...)` give a node-http request its deadline.
          if (ts.isPropertyAccessExpression(callee) && /^(setTimeout|on|once)$/.test(callee.name.text)) {
            const event = node.arguments[0];
            if (callee.name.text === 'setTimeout' || (event && ts.isStringLiteralLike(event) && event.text === 'timeout')) {
              const receiver = unwrapTs(ts, callee.expression);
              withDefaults.add(ts.isCallExpression(receiver) ? `@${receiver.getStart(ctx.sourceFile)}` : ctx.names.qualifiedName(receiver) ?? '');
            }
          }
          const resolved = instances.resolve(callee);
          const name = resolved?.name;
          if (name && /(^|\.)setGlobalDispatcher$/.test(name)) globalDispatcher = true;
          if (!name || isIgnored(name) || node.arguments.some((a) => ts.isSpreadElement(a))) return;
          if (hasDefault(name)) {
            const verdict = judgeOptions(node.arguments.find((a) => isObjectArg(a)));
            if (typeof verdict === 'object') ctx.report({ node, messageId: 'timeoutDisabled', data: { call: name, what: verdict.disabled } });
            return;
          }
          if (!isHttp(name)) return;
          const style = styleOf(name.replace(/^(axios|got)\.(create|extend)\(\)/, '$1'));
          const first = node.arguments[0];
          // Node's fetch rejects relative URLs: `fetch('/api/x')` is browser code.
          if (style === 'fetch' && first && (ts.isStringLiteralLike(first) || ts.isTemplateExpression(first))) {
            const head = ts.isTemplateExpression(first) ? first.head.text : first.text;
            if (head.startsWith('/') && !head.startsWith('//')) return;
          }
          const slot = optionsArg(style, name, node);
          if (slot === 'unknown') return;
          const verdict = judgeOptions(slot);
          if (verdict === 'ok' || verdict === 'unknown') return;
          if (typeof verdict === 'object') {
            ctx.report({ node, messageId: 'timeoutDisabled', data: { call: name, what: verdict.disabled } });
            return;
          }
          // A call through an instance built with a deadline inherits it.
          const instance = resolved?.instance;
          if (instance && judgeOptions(instance.call.arguments?.[0]) !== 'missing') return;
          // Named as the file names it (`this.http` -> `http`, an aliased `axios` -> `axios`).
          const receiver = ctx.names.qualifiedName(ts.isPropertyAccessExpression(callee) ? callee.expression : callee);
          pending.push({ node, name, style, receiver });
        },
        'SourceFile:exit'() {
          for (const { node, name, style, receiver } of pending) {
            if ((style === 'fetch' || style === 'undici') && globalDispatcher) continue;
            if (receiver && withDefaults.has(receiver)) continue;
            if (withDefaults.has(`@${node.getStart(ctx.sourceFile)}`)) continue;
            if (style === 'node-http' && isAssignedAndTimed(node)) continue;
            ctx.report({ node, messageId: 'noTimeout', data: { call: name, hint: TS_HINT[style] } });
          }
          for (const { node, name, local } of exported) {
            if (withDefaults.has(local) || judgeOptions(node.arguments[0]) !== 'missing') continue;
            ctx.report({ node, messageId: 'clientWithoutTimeout', data: { call: name, hint: TS_HINT[styleOf(name)] } });
          }
        },
      };

      /** `const req = https.request(...); req.setTimeout(...)` */
      function isAssignedAndTimed(call: TsApi.CallExpression): boolean {
        let n: TsApi.Node = call;
        while (n.parent && (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent))) n = n.parent;
        const decl = n.parent;
        return decl !== undefined && ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) && withDefaults.has(decl.name.text);
      }
    },
    python: (ctx, options) => {
      const isHttp = compileShapes(options.httpCalls.python);
      const hasDefault = compileShapes(options.defaultTimeoutCalls.python);
      const isIgnored = compileShapes(options.ignore);
      const timeoutKeys = options.timeoutKeys.python;
      const instances = new PyInstances(ctx.names, compileShapes(options.clientFactories.python));
      /** Sessions given a deadline another way: an adapter mounted, `request` wrapped. */
      const configured = new ScopedNames<true>();
      let socketDefault = false;
      const pending: { node: PyNode; name: string; receiver: string }[] = [];

      /** `None`, or `httpx.Timeout(None)` / `aiohttp.ClientTimeout(total=None)` with nothing else set. */
      const isDisabled = (value: PyNode): boolean => {
        if (isNoneValuePy(value)) return true;
        if (value.type !== 'call' || !/Timeout$/.test(value.childForFieldName('function')?.text ?? '')) return false;
        const { positional, keywords, splat } = argsOfPy(value);
        const all = [...positional, ...keywords.values()];
        return !splat && all.length > 0 && all.every((v) => v.type === 'none');
      };

      return {
        assignment(node) {
          instances.observe(node);
          // `session.request = functools.partial(session.request, timeout=5)`
          const left = node.childForFieldName('left');
          if (left?.type === 'attribute' && left.childForFieldName('attribute')?.text === 'request') {
            configured.bind(left.childForFieldName('object')?.text ?? '', scopeOfPy(node), true);
          }
        },
        as_pattern(node) {
          instances.observe(node);
        },
        typed_parameter(node) {
          instances.observe(node);
        },
        call(node) {
          const fn = node.childForFieldName('function');
          if (!fn) return;
          const resolved = instances.resolve(fn);
          const name = resolved?.name;
          if (!name || isIgnored(name)) return;
          if (name === 'socket.setdefaulttimeout') socketDefault = true;
          if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'mount') {
            configured.bind(fn.childForFieldName('object')?.text ?? '', scopeOfPy(node), true);
          }
          const args = argsOfPy(node);
          const given = timeoutKeys.map((k) => args.keywords.get(k)).find((v) => v !== undefined);
          if (given && isDisabled(given) && (hasDefault(name) || isHttp(name))) {
            ctx.report({ node, messageId: 'timeoutDisabled', data: { call: name, what: `timeout=${given.text}` } });
            return;
          }
          if (!isHttp(name) || given || args.splat) return;
          if (name === 'urllib.request.urlopen' && args.positional.length >= 3) return;
          const receiver = fn.type === 'attribute' ? fn.childForFieldName('object')?.text ?? '' : '';
          pending.push({ node, name, receiver });
        },
        'module:exit'() {
          for (const { node, name, receiver } of pending) {
            if (name === 'urllib.request.urlopen' && socketDefault) continue;
            if (receiver && configured.lookup(receiver, node.startIndex)) continue;
            ctx.report({ node, messageId: 'noTimeout', data: { call: name, hint: PY_HINT } });
          }
        },
      };
    },
  },
});
