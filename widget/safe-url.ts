const allowedProtocols = new Set(['http:', 'https:', 'mailto:']);

/**
 * The URL to put in a link's `href`, or `undefined` when the model's URL must not
 * become a link: only absolute `http:`, `https:` and `mailto:` URLs pass. The URL
 * parser does the judging, so case tricks (`JaVaScRiPt:`), tabs and newlines inside
 * the scheme, and leading spaces all resolve to the scheme a browser would see;
 * relative URLs and entity-encoded schemes do not parse as absolute and are refused.
 */
export function safeHref(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  return allowedProtocols.has(url.protocol) ? url.href : undefined;
}
