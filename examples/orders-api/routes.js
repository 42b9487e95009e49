/**
 * The routes. Each planted problem is the kind perf-hunter's lint rules and runtime probe exist
 * for; the comment above it names the rule. /orders and /orders-fast answer the same JSON.
 */
import { pbkdf2Sync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createCache } from './cache.js';

const MAX_LIMIT = 500;

function limitOf(url) {
  const raw = Number(url.searchParams.get('limit') ?? 50);
  return Number.isInteger(raw) && raw > 0 ? Math.min(raw, MAX_LIMIT) : 50;
}

/** N+1 (lint: n-plus-one; probe: runtime N+1): one query for the orders, then two more per order. */
export async function listOrdersSlow(db, url) {
  const { rows: orders } = await db.query(
    'SELECT id, customer_id, total_cents FROM orders ORDER BY id LIMIT $1',
    [limitOf(url)],
  );
  const result = [];
  for (const order of orders) {
    const customer = await db.query('SELECT id, name FROM customers WHERE id = $1', [order.customer_id]);
    const items = await db.query('SELECT product, quantity FROM order_items WHERE order_id = $1 ORDER BY id', [order.id]);
    result.push({ id: order.id, totalCents: order.total_cents, customer: customer.rows[0].name, items: items.rows });
  }
  return result;
}

/** The same answer in two queries whatever the limit: a JOIN for the customers, `= ANY($1)` for the items. */
export async function listOrdersFast(db, url) {
  const { rows: orders } = await db.query(
    `SELECT o.id, o.total_cents, c.name AS customer
       FROM orders o JOIN customers c ON c.id = o.customer_id
      ORDER BY o.id LIMIT $1`,
    [limitOf(url)],
  );
  const ids = orders.map((o) => o.id);
  const { rows: items } = await db.query(
    'SELECT order_id, product, quantity FROM order_items WHERE order_id = ANY($1) ORDER BY id',
    [ids],
  );
  const itemsByOrder = new Map(ids.map((id) => [id, []]));
  for (const item of items) itemsByOrder.get(item.order_id).push({ product: item.product, quantity: item.quantity });
  return orders.map((o) => ({ id: o.id, totalCents: o.total_cents, customer: o.customer, items: itemsByOrder.get(o.id) }));
}

const customerCache = createCache();

export async function getCustomer(db, id) {
  const cached = customerCache.get(id);
  if (cached) return cached;
  const { rows } = await db.query('SELECT id, name, email FROM customers WHERE id = $1', [id]);
  // No TTL (lint: cache-no-ttl): a renamed customer is served stale until the process restarts.
  customerCache.set(id, rows[0] ?? null);
  return rows[0] ?? null;
}

/** Sync I/O in an async handler (lint: sync-io-in-async): every other request waits while it runs. */
export async function signedReceipt(db, id, templateFile) {
  const template = readFileSync(templateFile, 'utf8');
  const { rows } = await db.query('SELECT id, total_cents FROM orders WHERE id = $1', [id]);
  if (!rows[0]) return null;
  const signature = pbkdf2Sync(String(rows[0].total_cents), 'receipt-salt', 20_000, 32, 'sha256').toString('hex');
  return template.replace('{{id}}', String(id)).replace('{{total}}', String(rows[0].total_cents)).replace('{{signature}}', signature);
}

/** An outbound call with no timeout (lint: no-timeout): a stalled pricing service stalls this route with it. */
export async function priceOf(pricingUrl, sku) {
  const response = await fetch(`${pricingUrl}/quote/${encodeURIComponent(sku)}`);
  return response.json();
}
