/**
 * The transports. Both only connect a fresh `createServer(ctx)`; nothing here knows about tools.
 *
 * stdio: stdout is the protocol, so every log line goes to stderr.
 * HTTP: Streamable HTTP on loopback, one server per session. Requests are checked before the SDK
 * sees them: `Host` must name this loopback port and `Origin` must be absent, loopback or allowed
 * (both defeat DNS rebinding from a browser; the SDK's helper checks Host only), then the bearer
 * token when one is set.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createContext, logToStderr, type SkillDirs } from './context.js';
import { createServer } from './create-server.js';

export interface ServeOptions {
  /** Extra skill folders, or a function resolving them once the server is up (cheaper cold start). */
  skillDirs: SkillDirs;
  includeBuiltin?: boolean;
  /** HTTP only: 0 picks a free port (the bound URL is logged). Default 3917. */
  port?: number;
  /** HTTP only: the address to bind. Default 127.0.0.1. */
  host?: string;
  /** HTTP only: when set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
  /** HTTP only: browser origins allowed besides loopback ones, e.g. `https://my-tool.example`. */
  allowedOrigins?: string[];
  log?: (message: string) => void;
}

export const DEFAULT_PORT = 3917;
export const MCP_PATH = '/mcp';
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/**
 * Sessions each hold a server; clients that vanish without DELETE would pile up for ever. Past
 * this many, the least recently used session is ended (its client gets 404 and, per the spec,
 * starts a new one).
 */
const MAX_SESSIONS = 128;
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export async function serveStdio(opts: ServeOptions): Promise<void> {
  const log = opts.log ?? logToStderr;
  const ctx = createContext({ dirs: opts.skillDirs, includeBuiltin: opts.includeBuiltin ?? true }, log);
  const server = createServer(ctx);
  // Skills load once the client is initialised, so reading YAML never delays the `initialize` answer.
  warmOnInitialized(server, ctx);
  await server.connect(new StdioServerTransport());
  process.stdin.once('end', () => void server.close());
}

/** Keeps createServer's own `initialized` work (client logging) and adds the one-time stderr load report. */
function warmOnInitialized(server: McpServer, ctx: { warm(): void }): void {
  const own = server.server.oninitialized;
  server.server.oninitialized = () => {
    ctx.warm();
    own?.();
  };
}

export interface HttpHandle {
  /** The endpoint, e.g. `http://127.0.0.1:3917/mcp`. */
  url: string;
  close(): Promise<void>;
}

export async function serveHttp(opts: ServeOptions): Promise<HttpHandle> {
  const log = opts.log ?? logToStderr;
  const host = opts.host ?? '127.0.0.1';
  // Imported here, not at the top: the stdio server never pays for the HTTP transport.
  const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const ctx = createContext({ dirs: opts.skillDirs, includeBuiltin: opts.includeBuiltin ?? true }, log);
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  let allowedHosts: Set<string> = new Set();
  const allowedOrigins = new Set((opts.allowedOrigins ?? []).map(normalizeOrigin).filter((o): o is string => o !== undefined));
  const tokenDigest = opts.token ? digest(opts.token) : undefined;

  const httpServer = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`HTTP request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) reply(res, 500, 'Internal server error');
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = checkRequest(req, allowedHosts, allowedOrigins, tokenDigest);
    if (refusal) {
      if (refusal.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      reply(res, refusal.status, refusal.message);
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== MCP_PATH) return reply(res, 404, `Not found: the MCP endpoint is ${MCP_PATH}`);

    const sessionId = header(req, 'mcp-session-id');
    if (sessionId) {
      const transport = sessions.get(sessionId);
      if (!transport) return reply(res, 404, 'Session not found: it ended or the server restarted; initialize a new session');
      // Map order is use order: the first entry is the least recently used.
      sessions.delete(sessionId);
      sessions.set(sessionId, transport);
      if (req.method !== 'POST') return transport.handleRequest(req, res);
      const body = await readJson(req, res);
      return body === undefined ? undefined : transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST') return reply(res, 400, 'Missing Mcp-Session-Id header: initialize a session with a POST first');
    const body = await readJson(req, res);
    if (body === undefined) return;
    if (!isInitializeRequest(body)) return reply(res, 400, 'No session: the first request must be initialize (without Mcp-Session-Id)');

    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
        for (const [oldest, old] of sessions) {
          if (sessions.size <= MAX_SESSIONS) break;
          sessions.delete(oldest);
          void old.close();
          log(`ended the least recently used session: over ${MAX_SESSIONS} open sessions`);
        }
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    const server = createServer(ctx);
    warmOnInitialized(server, ctx);
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port ?? DEFAULT_PORT, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  allowedHosts = new Set([...LOOPBACK_NAMES, ...(isWildcard(host) ? [] : [bracketIPv6(host)])].map((name) => `${name}:${port}`.toLowerCase()));
  const url = `http://${bracketIPv6(isWildcard(host) ? '127.0.0.1' : host)}:${port}${MCP_PATH}`;
  if (!isLoopback(host) && !opts.token) log(`warning: listening on ${host} without a token; set PERF_HUNTER_TOKEN`);

  return {
    url,
    async close() {
      await Promise.allSettled([...sessions.values()].map((t) => t.close()));
      sessions.clear();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

interface Refusal {
  status: 401 | 403;
  message: string;
}

/** DNS-rebinding and auth checks; `undefined` means the request may go on. */
export function checkRequest(
  req: IncomingMessage,
  allowedHosts: ReadonlySet<string>,
  allowedOrigins: ReadonlySet<string>,
  tokenDigest: Buffer | undefined,
): Refusal | undefined {
  const hostHeader = (header(req, 'host') ?? '').toLowerCase();
  if (!allowedHosts.has(hostHeader)) {
    return { status: 403, message: `Forbidden: Host "${hostHeader}" is not this server (expected one of ${[...allowedHosts].join(', ')})` };
  }
  const origin = header(req, 'origin');
  if (origin !== undefined) {
    const normalized = normalizeOrigin(origin);
    const loopback = normalized !== undefined && isLoopback(new URL(normalized).hostname);
    if (!loopback && !(normalized && allowedOrigins.has(normalized))) {
      return { status: 403, message: `Forbidden: Origin "${origin}" is not allowed (loopback origins are; add others with --allowed-origin)` };
    }
  }
  if (tokenDigest) {
    const match = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '');
    if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), tokenDigest)) {
      return { status: 401, message: 'Unauthorized: send Authorization: Bearer <the PERF_HUNTER_TOKEN the server was started with>' };
    }
  }
  return undefined;
}

/** Equal-length digests, so comparing tokens of different lengths is still constant-time. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function normalizeOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

function isLoopback(hostname: string): boolean {
  return ['localhost', '127.0.0.1', '::1', '[::1]'].includes(hostname.toLowerCase());
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function bracketIPv6(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** A JSON-RPC error body, as the Streamable HTTP spec expects for refused requests. */
function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/** Reads a JSON body (bounded); answers 413/400 itself and returns undefined when it cannot. */
async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      reply(res, 413, `Request body over ${MAX_BODY_BYTES} bytes`);
      return undefined;
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    res.writeHead(400, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the body is not JSON' }, id: null }));
    return undefined;
  }
}
