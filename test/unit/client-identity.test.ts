import { describe, expect, it } from 'vitest';
import { addressKey, identifyClient, loadClientIdentityConfig } from '../../api/_lib/request/client-identity.js';
import { ConfigError } from '../../api/_lib/config/config.js';

function request(forwardedFor?: string): Request {
  return new Request('http://localhost/api/chat/stream', { method: 'POST', headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } });
}

const direct = loadClientIdentityConfig({});
const vercel = loadClientIdentityConfig({ VERCEL: '1' });
const oneProxy = loadClientIdentityConfig({ AI_STREAM_TRUST_PROXY: '1' });
const twoProxies = loadClientIdentityConfig({ AI_STREAM_TRUST_PROXY: '2' });

describe('client identity', () => {
  it('by default the socket address counts, and a spoofed x-forwarded-for is ignored', async () => {
    expect(await identifyClient(request('1.1.1.1'), { config: direct, socketAddress: '203.0.113.7' })).toBe('ip:203.0.113.7');
    expect(await identifyClient(request(), { config: direct, socketAddress: '::ffff:203.0.113.7' })).toBe('ip:203.0.113.7');
  });

  it("on Vercel the first x-forwarded-for hop is the client (Vercel's edge writes the header)", async () => {
    expect(await identifyClient(request('198.51.100.4, 10.0.0.1'), { config: vercel, socketAddress: '10.0.0.9' })).toBe('ip:198.51.100.4');
    expect(await identifyClient(request(), { config: vercel, socketAddress: '10.0.0.9' })).toBe('ip:10.0.0.9');
  });

  it('behind n declared proxies, the address the outermost trusted proxy saw counts, not what the client wrote', async () => {
    // The client wrote "6.6.6.6"; the proxy appended the address it saw.
    expect(await identifyClient(request('6.6.6.6, 198.51.100.4'), { config: oneProxy, socketAddress: '10.0.0.2' })).toBe('ip:198.51.100.4');
    expect(await identifyClient(request('6.6.6.6, 198.51.100.4, 10.0.0.3'), { config: twoProxies, socketAddress: '10.0.0.2' })).toBe('ip:198.51.100.4');
    // Fewer hops than declared proxies: the furthest one listed.
    expect(await identifyClient(request('198.51.100.4'), { config: twoProxies, socketAddress: '10.0.0.2' })).toBe('ip:198.51.100.4');
    expect(await identifyClient(request(), { config: oneProxy, socketAddress: '10.0.0.2' })).toBe('ip:10.0.0.2');
    // A hop that is not an address falls back to the socket.
    expect(await identifyClient(request('not-an-ip'), { config: oneProxy, socketAddress: '10.0.0.2' })).toBe('ip:10.0.0.2');
  });

  it("the site's identify hook wins; long identities are hashed; an empty answer falls back to the address", async () => {
    const fromCookie = (r: Request): string | undefined => (r.headers.get('cookie') === 'session=ok' ? 'user-42' : undefined);
    const signedIn = new Request('http://localhost/', { headers: { cookie: 'session=ok' } });
    expect(await identifyClient(signedIn, { config: direct, socketAddress: '203.0.113.7', identify: fromCookie })).toBe('user:user-42');
    expect(await identifyClient(request(), { config: direct, socketAddress: '203.0.113.7', identify: fromCookie })).toBe('ip:203.0.113.7');
    expect(await identifyClient(request(), { config: direct, socketAddress: '203.0.113.7', identify: async () => '  ' })).toBe('ip:203.0.113.7');
    expect(await identifyClient(request(), { config: direct, identify: () => 'x'.repeat(500) })).toMatch(/^user:sha256:[0-9a-f]{64}$/);
  });

  it('with no address at all, clients share the key "anonymous"', async () => {
    expect(await identifyClient(request(), { config: direct })).toBe('anonymous');
  });

  it('IPv6 addresses count by their /64; ports, brackets and zones are dropped', () => {
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('ip6:2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe('ip6:2001:db8:1:2::/64');
    expect(addressKey('2001:0db8::1')).toBe('ip6:2001:db8:0:0::/64');
    expect(addressKey('[2001:db8::1]:443')).toBe('ip6:2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('ip6:fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('ip6:0:0:0:0::/64');
    expect(addressKey('203.0.113.7:51234')).toBe('ip:203.0.113.7');
    expect(addressKey('garbage')).toBeUndefined();
  });

  it('AI_STREAM_TRUST_PROXY takes a hop count; anything else is a ConfigError naming it', () => {
    expect(loadClientIdentityConfig({ AI_STREAM_TRUST_PROXY: '3' })).toEqual({ onVercel: false, trustedProxyHops: 3 });
    expect(() => loadClientIdentityConfig({ AI_STREAM_TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadClientIdentityConfig({ AI_STREAM_TRUST_PROXY: '11' })).toThrow(/AI_STREAM_TRUST_PROXY/);
  });
});
