/**
 * Which `Host` headers a local server answers. A page on any site can point its own
 * name at 127.0.0.1 (DNS rebinding) and then call the local server "same-origin"; the
 * only sign is a Host the server does not know. So, like Vite's dev server since its
 * `allowedHosts` fix, the demo answers loopback names on its own port and names the
 * developer configured, and refuses every other Host on every route.
 */

/** Loopback names every local server answers. */
const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** A host name, an IPv4 address or a bracketed IPv6 address; no port, no path. */
const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])$/;

/**
 * The names a server listening on `listenHost` answers: the loopback names, the address
 * it listens on (unless that is every interface), and `extra` (`AI_STREAM_DEMO_HOSTS`,
 * comma-separated host names). Throws naming the variable when an entry is not a name.
 */
export function hostNames(listenHost: string, extra: string | undefined): string[] {
  const names = new Set(LOOPBACK);
  const listening = listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
  if (listening !== '0.0.0.0' && listening !== '[::]') names.add(listening.toLowerCase());
  for (const entry of (extra ?? '').split(',')) {
    const name = entry.trim().toLowerCase();
    if (!name) continue;
    if (!HOST_NAME.test(name)) throw new Error(`AI_STREAM_DEMO_HOSTS entry "${entry.trim()}" is not a host name (no scheme, port or path).`);
    names.add(name);
  }
  return [...names];
}

/** The `Host` header values allowed for `names` on `port` (lower-case; bare names too on port 80). */
export function allowedHostHeaders(names: readonly string[], port: number): Set<string> {
  const hosts = new Set<string>();
  for (const name of names) {
    hosts.add(`${name}:${port}`);
    if (port === 80) hosts.add(name);
  }
  return hosts;
}

/** The origins a browser sends for pages on those hosts over http (the default port is omitted). */
export function originsOf(names: readonly string[], port: number): string[] {
  return names.map((name) => (port === 80 ? `http://${name}` : `http://${name}:${port}`));
}

/** True when a request's Host header is one the server expects (case-insensitive). */
export function isAllowedHost(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  return host !== undefined && allowed.has(host.toLowerCase());
}
