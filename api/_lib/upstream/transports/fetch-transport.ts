import type { ByteSource, UpstreamTransport } from './upstream-transport.js';

/**
 * The transport for runtimes without node:http, and for tests that inject a fetch: a
 * read loop over the Web body that stops reading while paused.
 */
export function fetchTransport(fetchImpl: typeof fetch = fetch): UpstreamTransport {
  return (url, init, receiver) => {
    // fetch is cancelled only through a signal.
    const controller = new AbortController();
    let body: ByteSource | undefined;
    let aborted = false;
    fetchImpl(url, { ...init, signal: controller.signal }).then(
      (res) => {
        body = sourceOf(res);
        if (aborted) return body.destroy();
        receiver.onResponse({ status: res.status, header: (name: string) => res.headers.get(name), body });
      },
      (err: unknown) => {
        if (!aborted) receiver.onFailure(err);
      },
    );
    const abort = (): void => {
      aborted = true;
      controller.abort();
      body?.destroy();
    };
    // fetch cannot tell a fully arrived body from one still coming without reading on;
    // aborting a finished response is harmless, so release is abort.
    return { abort, release: abort };
  };
}

function sourceOf(response: Response): ByteSource {
  let paused = false;
  let done = false;
  let reading = false;
  let handlers: Parameters<ByteSource['start']>[0] | undefined;
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();

  const pump = async (): Promise<void> => {
    if (reading || !reader || !handlers) return;
    reading = true;
    try {
      while (!paused && !done) {
        const { done: ended, value } = await reader.read();
        if (done) return;
        if (ended) {
          done = true;
          const rest = decoder.decode();
          if (rest) handlers.data(rest);
          handlers.end();
          return;
        }
        const text = decoder.decode(value, { stream: true });
        if (text) handlers.data(text);
      }
    } catch (err) {
      if (!done) {
        done = true;
        handlers.error(err);
      }
    } finally {
      reading = false;
    }
  };

  return {
    start(h) {
      handlers = h;
      if (!reader) {
        done = true;
        h.end();
        return;
      }
      void pump();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      void pump();
    },
    destroy() {
      if (done) return;
      done = true;
      reader?.cancel().catch(() => {});
    },
  };
}
