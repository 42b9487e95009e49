/**
 * orders-api: a small HTTP API over an embedded Postgres (PGlite), with planted performance
 * problems for perf-hunter to find. Usage: `node server.js [--port N]` (or PORT=N; 0 picks a
 * free port). Prints `orders-api listening on http://127.0.0.1:PORT` once it accepts requests.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from './db.js';
import { startPricingService } from './upstream.js';
import { getCustomer, listOrdersFast, listOrdersSlow, priceOf, signedReceipt } from './routes.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function portFromArgs(argv, env) {
  const flag = argv.indexOf('--port');
  const raw = flag >= 0 ? argv[flag + 1] : env.PORT ?? '0';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`orders-api: --port/PORT must be a port number (0 for any free port), got "${raw}"`);
    process.exit(2);
  }
  return port;
}

function send(res, status, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
  res.end(text);
}

async function route(req, res, ctx) {
  const url = new URL(req.url, 'http://orders-api');
  const parts = url.pathname.split('/').filter(Boolean);
  if (req.method !== 'GET') return send(res, 405, { error: 'GET only' });
  if (url.pathname === '/orders') return send(res, 200, await listOrdersSlow(ctx.db, url));
  if (url.pathname === '/orders-fast') return send(res, 200, await listOrdersFast(ctx.db, url));
  if (parts[0] === 'customers' && parts.length === 2) {
    const customer = await getCustomer(ctx.db, Number(parts[1]));
    return customer ? send(res, 200, customer) : send(res, 404, { error: 'no such customer' });
  }
  if (parts[0] === 'orders' && parts[2] === 'receipt' && parts.length === 3) {
    const receipt = await signedReceipt(ctx.db, Number(parts[1]), path.join(here, 'receipt.txt'));
    return receipt ? send(res, 200, receipt) : send(res, 404, { error: 'no such order' });
  }
  if (parts[0] === 'prices' && parts.length === 2) return send(res, 200, await priceOf(ctx.pricingUrl, parts[1]));
  if (url.pathname === '/health') return send(res, 200, { ok: true });
  return send(res, 404, { error: 'not found', routes: ['/orders?limit=N', '/orders-fast?limit=N', '/customers/:id', '/orders/:id/receipt', '/prices/:sku'] });
}

const port = portFromArgs(process.argv.slice(2), process.env);
const [db, pricing] = await Promise.all([openDatabase(), startPricingService()]);
const ctx = { db, pricingUrl: pricing.url };
const server = http.createServer((req, res) => {
  route(req, res, ctx).catch((error) => send(res, 500, { error: String(error?.message ?? error) }));
});
server.listen(port, '127.0.0.1', () => {
  console.log(`orders-api listening on http://127.0.0.1:${server.address().port}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    pricing.server.close();
    void db.close().finally(() => process.exit(0));
  });
}
