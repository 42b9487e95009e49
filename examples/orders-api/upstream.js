/**
 * A tiny pricing service on loopback, started by the app itself: the outbound call in the
 * example goes here, never to the internet. It answers after a short delay, like a real one.
 */
import http from 'node:http';

export function startPricingService() {
  const server = http.createServer((req, res) => {
    const sku = decodeURIComponent(new URL(req.url, 'http://upstream').pathname.split('/').pop() ?? '');
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sku, priceCents: 100 + (sku.length * 37) % 900 }));
    }, 2);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` }));
  });
}
