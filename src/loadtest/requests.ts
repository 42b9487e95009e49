/** The requests a run cycles through: one fixed request, or the `requests` list, with the checked Host header. */
import type { CheckedTarget } from './allow.js';
import type { LoadTestOptions } from './schema.js';

export interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export function prepareRequests(target: CheckedTarget, options: LoadTestOptions): PreparedRequest[] {
  const basePath = `${target.url.pathname}${target.url.search}`;
  const base = { host: target.hostHeader, ...lowerKeys(options.headers) };
  const specs = options.requests ?? [{}];
  return specs.map((spec) => {
    const body = spec.body ?? (options.requests ? undefined : options.body);
    return {
      method: (spec.method ?? options.method).toUpperCase(),
      path: spec.path ?? basePath,
      headers: { ...base, ...lowerKeys(spec.headers ?? {}) },
      ...(body !== undefined ? { body } : {}),
    };
  });
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
