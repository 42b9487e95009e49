/**
 * Where a tool may touch the file system: the client's roots when it declares the capability
 * (relative paths resolve against the first), else the server's working directory plus the
 * folders it was started with. Client roots are optional and being reworked in the spec, so the
 * fallback is always a confinement, never "anywhere".
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerContext } from './context.js';
import { errorMessage } from './tools/result.js';

export interface AllowedPlace {
  cwd: string;
  roots: string[];
}

export async function allowedPlace(server: McpServer, ctx: ServerContext, tool: string): Promise<AllowedPlace> {
  const cwd = ctx.cwd ?? process.cwd();
  if (server.server.getClientCapabilities()?.roots) {
    try {
      const { roots } = await server.server.listRoots();
      const dirs = roots.filter((r) => r.uri.startsWith('file://')).map((r) => fileURLToPath(r.uri));
      if (dirs.length > 0) return { cwd: dirs.includes(cwd) ? cwd : dirs[0]!, roots: dirs };
      ctx.log(`${tool}: the client declared roots but listed no file:// root; using the working directory`, 'warning');
    } catch (error) {
      ctx.log(`${tool}: could not list the client's roots (${errorMessage(error)}); using the working directory`, 'warning');
    }
  }
  return { cwd, roots: [cwd, ...((await ctx.extraRoots?.()) ?? [])] };
}

/**
 * Resolves `given` against the place and returns it if it lies inside a root, following symlinks
 * of the part that exists (a file still to be written has no realpath of its own); otherwise
 * throws an Error whose message says how to fix it.
 */
export function confinePath(given: string, place: AllowedPlace, what: string): string {
  const resolved = path.resolve(place.cwd, given);
  const real = realOfExistingPart(resolved);
  const inside = place.roots.some((root) => {
    const r = realOfExistingPart(path.resolve(root));
    return real === r || real.startsWith(r.endsWith(path.sep) ? r : r + path.sep);
  });
  if (!inside) {
    throw new Error(`${what} ${given} is outside the allowed roots (${place.roots.join(', ')}): pass a path inside them`);
  }
  return resolved;
}

function realOfExistingPart(p: string): string {
  let existing = p;
  const rest: string[] = [];
  while (!existsSync(existing) && path.dirname(existing) !== existing) {
    rest.unshift(path.basename(existing));
    existing = path.dirname(existing);
  }
  return path.join(realpathSync(existing), ...rest);
}
