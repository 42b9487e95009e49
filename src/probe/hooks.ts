/**
 * Loader hooks (module.register) installed by the probe. When the target imports a watched
 * package by name, `resolve` answers with a proxy URL and `load` makes that proxy a module that
 * imports the real package, hands its namespace to the probe (which wraps the query methods in
 * place), then re-exports everything. The application gets the same bindings, already counted.
 */
interface HookData {
  scheme: string;
  watched: string[];
}

let scheme = 'perf-hunter-probe:';
let watched = new Set<string>();

export function initialize(data: HookData | undefined): void {
  if (!data) return;
  scheme = data.scheme;
  watched = new Set(data.watched);
}

interface ResolveContext {
  parentURL?: string;
  conditions?: string[];
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string; format?: string | null }>;

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<{ url: string; format?: string | null; shortCircuit?: boolean }> {
  if (!watched.has(specifier) || context.parentURL?.startsWith(scheme)) return nextResolve(specifier, context);
  const real = await nextResolve(specifier, context);
  const query = new URLSearchParams({ specifier, url: real.url });
  return { url: `${scheme}proxy?${query.toString()}`, format: 'module', shortCircuit: true };
}

type NextLoad = (url: string, context: object) => Promise<{ format: string; source?: unknown }>;

export async function load(url: string, context: object, nextLoad: NextLoad): Promise<{ format: string; source?: unknown; shortCircuit?: boolean }> {
  if (!url.startsWith(scheme)) return nextLoad(url, context);
  const params = new URL(url).searchParams;
  const real = JSON.stringify(params.get('url'));
  const specifier = JSON.stringify(params.get('specifier'));
  // `ns.default` is undefined for a package without a default export, as a plain import would see.
  const source =
    `import * as ns from ${real};\n` +
    `globalThis[Symbol.for('perf-hunter.probe')]?.patch(${specifier}, ns, ${real});\n` +
    `export * from ${real};\n` +
    `export default ns.default;\n`;
  return { format: 'module', source, shortCircuit: true };
}
