import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { ConfigError } from '../config/config.js';
import type { WithHeaders } from '../http/incoming-call.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Which addresses in front of the server are trusted to say who the client is. */
export interface ClientIdentityConfig {
  /** On Vercel (`VERCEL` is set), whose edge writes `x-forwarded-for` itself. */
  onVercel: boolean;
  /** Proxies the operator declares in front of the server (`AI_STREAM_TRUST_PROXY`); 0 trusts none. */
  trustedProxyHops: number;
}

/**
 * A site's own identity for a request, e.g. a signed-in user's id; `undefined` falls
 * back to the address. It must not come from anything the client can set freely.
 */
export type IdentifyHook = (request: Request) => string | undefined | Promise<string | undefined>;

/** Longer site identities are hashed, so a key stays short whatever the site passes. */
const MAX_IDENTITY_CHARS = 128;

/**
 * Reads who may name the client (docs/shared-state.md): `VERCEL`, and
 * `AI_STREAM_TRUST_PROXY` = the number of proxies in front of the server (`1` for one
 * reverse proxy). Headers are not trusted unless one of them says so.
 */
export function loadClientIdentityConfig(env: Env = process.env): ClientIdentityConfig {
  const raw = env.AI_STREAM_TRUST_PROXY?.trim() || '0';
  const hops = Number(raw);
  if (!/^\d+$/.test(raw) || hops > 10) {
    throw new ConfigError(`AI_STREAM_TRUST_PROXY must be the number of trusted proxies, 0 to 10; it is "${raw}".`);
  }
  return { onVercel: Boolean(env.VERCEL?.trim()), trustedProxyHops: hops };
}

/** An address as a rate-limit key: IPv4 as is, IPv6 by its /64 (one subscriber's usual share). */
export function addressKey(address: string): string | undefined {
  let plain = address.trim().replace(/^\[(.*)\](?::\d+)?$/, '$1').replace(/%.*$/, '');
  if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(plain)) plain = plain.replace(/:\d+$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped?.[1]) plain = mapped[1];
  const version = isIP(plain);
  if (version === 4) return `ip:${plain}`;
  if (version === 6) return `ip6:${ipv6Prefix64(plain)}`;
  return undefined;
}

/** The first four groups of an IPv6 address, canonical (`2001:db8:0:1::/64`). */
function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  // An embedded IPv4 tail takes two groups; it never reaches the /64 prefix.
  const right = (tail ? tail.split(':') : []).flatMap((group) => (group.includes('.') ? ['0', '0'] : [group]));
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/** The address the trusted hops vouch for: counted from the socket back through `x-forwarded-for`. */
function forwardedAddress(forwardedFor: string | null, socketAddress: string | undefined, config: ClientIdentityConfig): string | undefined {
  const listed = (forwardedFor ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  // Vercel's edge replaces the header with the client's address: its first hop is the client.
  if (config.onVercel && listed[0]) return listed[0];
  if (config.trustedProxyHops === 0) return socketAddress;
  // As Express's `trust proxy = n`: each trusted proxy appended the address it saw.
  const hops = [socketAddress, ...listed.reverse()];
  return hops[Math.min(config.trustedProxyHops, hops.length - 1)];
}

/**
 * Who a client is, as a rate-limit key: the site's `identify` hook first (`user:…`),
 * else its address (`ip:…`, `ip6:…/64`) from the socket, or from `x-forwarded-for`
 * only when on Vercel or behind declared proxies. A client with neither shares the
 * key `anonymous`.
 *
 * @param socketAddress The peer of the TCP connection (`getConnInfo(c).remote.address`
 *   with Hono on Node, `incoming.socket.remoteAddress`); undefined where there is none.
 */
export async function identifyClient(
  request: Request,
  options: { config: ClientIdentityConfig; socketAddress?: string | undefined; identify?: IdentifyHook | undefined },
): Promise<string> {
  const own = (await options.identify?.(request))?.trim();
  if (own) {
    return own.length > MAX_IDENTITY_CHARS ? `user:sha256:${createHash('sha256').update(own).digest('hex')}` : `user:${own}`;
  }
  return addressIdentity(request, options);
}

/**
 * The address part of {@link identifyClient}, without the site's hook: synchronous,
 * so a handler with no hook identifies a client without awaiting anything.
 */
export function addressIdentity(request: WithHeaders, options: { config: ClientIdentityConfig; socketAddress?: string | undefined }): string {
  const address = forwardedAddress(request.headers.get('x-forwarded-for'), options.socketAddress, options.config);
  const key = (address && addressKey(address)) ?? (options.socketAddress && addressKey(options.socketAddress));
  return key || 'anonymous';
}
