/**
 * Which hosts may receive load. Loopback always; more only when the person names them
 * (`--allow-host`, PERF_HUNTER_ALLOW_HOSTS). Names are resolved and EVERY address checked before
 * a packet is sent, and the load then goes to the checked address (the name only travels in the
 * Host header and, for HTTPS, as the TLS server name), so a second DNS answer cannot redirect it
 * elsewhere. Redirects are never followed by the generators, so a 3xx cannot send load elsewhere either.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import { LoadTestError } from './schema.js';

export type Lookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const defaultLookup: Lookup = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** 127.0.0.0/8, ::1 and `localhost` (the literal name; other names must resolve to loopback). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || isLoopbackAddress(bare);
}

export function isLoopbackAddress(address: string): boolean {
  if (net.isIPv4(address)) return address.startsWith('127.');
  if (net.isIPv6(address)) {
    const lower = address.toLowerCase();
    return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(lower);
  }
  return false;
}

export interface AllowList {
  names: Set<string>;
  blocks: net.BlockList;
  entries: string[];
}

/** Names, IP addresses and CIDRs, from the input and the environment (comma or space separated). */
export function parseAllowList(extra: string[], env: NodeJS.ProcessEnv = process.env): AllowList {
  const entries = [...extra, ...(env.PERF_HUNTER_ALLOW_HOSTS ?? '').split(/[\s,]+/)].map((e) => e.trim()).filter(Boolean);
  const names = new Set<string>();
  const blocks = new net.BlockList();
  for (const entry of entries) {
    const bare = entry.replace(/^\[|\]$/g, '');
    const [ip, bits] = bare.split('/');
    const family = net.isIP(ip ?? '');
    if (family && bits !== undefined) {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new LoadTestError(`allow-host "${entry}" is not a valid CIDR`);
      blocks.addSubnet(ip!, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (family) blocks.addAddress(bare, family === 4 ? 'ipv4' : 'ipv6');
    else names.add(bare.toLowerCase());
  }
  return { names, blocks, entries };
}

export interface CheckedTarget {
  /** The URL as given. */
  url: URL;
  /** The same URL with the host replaced by the checked address: where packets go. */
  connectUrl: URL;
  /** The original host[:port] for the Host header. */
  hostHeader: string;
  address: string;
  /**
   * HTTPS to a name: the name for TLS (SNI and certificate check), since `connectUrl` names the
   * checked address. Pass it to the client (autocannon `servername`, undici `connect.servername`).
   */
  servername?: string;
}

export interface CheckTargetOptions {
  allowHosts?: string[];
  env?: NodeJS.ProcessEnv;
  /** Name resolution; injectable so tests can make a name resolve anywhere without sending a packet. */
  lookup?: Lookup;
}

/** Refuses a target whose host (or any address it resolves to) is not allow-listed, before any connection. */
export async function checkTarget(raw: string, options: CheckTargetOptions = {}): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LoadTestError(`url is not a URL: "${raw}" (e.g. http://127.0.0.1:3000/)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LoadTestError(`url must be http:// or https://, got ${url.protocol}`);
  const allow = parseAllowList(options.allowHosts ?? [], options.env ?? process.env);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const hint = 'only loopback hosts are allowed by default; if you own the target, allow it with allowHosts (CLI: --allow-host HOST) or PERF_HUNTER_ALLOW_HOSTS';
  const allowedAddress = (address: string): boolean =>
    isLoopbackAddress(address) || allow.blocks.check(address, net.isIPv4(address) ? 'ipv4' : 'ipv6');

  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await (options.lookup ?? defaultLookup)(host)).map((a) => a.address);
    } catch (error) {
      throw new LoadTestError(`cannot resolve "${host}": ${error instanceof Error ? error.message : String(error)}`);
    }
    if (addresses.length === 0) throw new LoadTestError(`"${host}" resolves to no address`);
  }
  const nameAllowed = allow.names.has(host.toLowerCase());
  if (!nameAllowed) {
    const refused = addresses.filter((a) => !allowedAddress(a));
    if (refused.length > 0) {
      const where = net.isIP(host) ? '' : ` (resolves to ${refused.join(', ')})`;
      throw new LoadTestError(`refused target "${host}"${where}: ${hint}`);
    }
  }
  // Prefer IPv4 loopback: servers commonly listen on 127.0.0.1 only.
  const address = addresses.find((a) => net.isIPv4(a)) ?? addresses[0]!;
  const connectUrl = new URL(url.toString());
  // HTTPS too: connecting by name would resolve it again, and that second answer was never checked.
  connectUrl.hostname = net.isIPv6(address) ? `[${address}]` : address;
  const servername = url.protocol === 'https:' && !net.isIP(host) ? host : undefined;
  return { url, connectUrl, hostHeader: url.host, address, ...(servername ? { servername } : {}) };
}
