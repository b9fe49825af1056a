import { afterEach, describe, expect, it, vi } from 'vitest';
import { webCall } from '../../api/_lib/http/web-mount.js';
import { readJsonBody } from '../../api/_lib/request/read-body.js';

const limits = { maxBytes: 1_024, timeoutMs: 10_000 };
const json = { 'content-type': 'application/json' };

/** A body that sends `first` and then nothing, never ending; `cancelled` settles when the reader gives up on it. */
function stalledBody(first: string): { body: ReadableStream<Uint8Array>; cancelled: Promise<void> } {
  let onCancel: () => void = () => {};
  const cancelled = new Promise<void>((resolve) => (onCancel = resolve));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first));
    },
    cancel() {
      onCancel();
    },
  });
  return { body, cancelled };
}

describe('readJsonBody', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a body still unfinished at the deadline with 408 request_timeout, and lets go of it', async () => {
    vi.useFakeTimers();
    const { body, cancelled } = stalledBody('{"messages": [');
    const reading = readJsonBody(webCall(new Request('http://x/', { method: 'POST', headers: json, body, duplex: 'half' } as RequestInit), undefined), limits);
    const outcome = reading.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(limits.timeoutMs - 1);
    let settled = false;
    void outcome.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toMatchObject({ code: 'request_timeout', status: 408 });
    await cancelled;
  });

  it('reads a body that arrives before the deadline, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const request = new Request('http://x/', { method: 'POST', headers: json, body: '{"a": "é"}' });
    await expect(readJsonBody(webCall(request, undefined), limits)).resolves.toEqual({ a: 'é' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses bytes that are not UTF-8 rather than replacing them with U+FFFD', async () => {
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      const body = new Uint8Array([...new TextEncoder().encode('{"a": "'), ...bad, 0x22, 0x7d]);
      const request = new Request('http://x/', { method: 'POST', headers: json, body });
      await expect(readJsonBody(webCall(request, undefined), limits)).rejects.toMatchObject({ code: 'invalid_encoding', status: 400 });
    }
  });
});
