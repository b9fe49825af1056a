import type { ByteSource, UpstreamCall, UpstreamRequestInit, UpstreamResponse, UpstreamTransport } from '../../api/_lib/upstream/transports/upstream-transport.js';

/** One request: its outcome as a promise, and how many receiver callbacks fired. */
export function send(transport: UpstreamTransport, url: string, body: UpstreamRequestInit): { call: UpstreamCall; response: Promise<UpstreamResponse>; callbacks: () => number } {
  let callbacks = 0;
  let call!: UpstreamCall;
  const response = new Promise<UpstreamResponse>((resolve, reject) => {
    call = transport(url, body, {
      onResponse: (r) => {
        callbacks++;
        resolve(r);
      },
      onFailure: (err) => {
        callbacks++;
        reject(err ?? new Error('failed without a reason'));
      },
    });
  });
  return { call, response, callbacks: () => callbacks };
}

/** Everything a body delivers, and how it ended. */
export function collect(body: ByteSource): { text: () => string; ended: Promise<'end' | 'error'>; calls: () => number; failure: () => unknown } {
  let text = '';
  let calls = 0;
  let failure: unknown;
  const ended = new Promise<'end' | 'error'>((resolve) =>
    body.start({
      data: (chunk) => {
        calls++;
        text += chunk;
      },
      end: () => {
        calls++;
        resolve('end');
      },
      error: (error) => {
        calls++;
        failure = error;
        resolve('error');
      },
    }),
  );
  return { text: () => text, ended, calls: () => calls, failure: () => failure };
}
