import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOpenAIChatAnswer } from '../../demo/upstream/server.js';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents, textOf, waitFor, type ReceivedEvent } from '../support/read-events.js';

async function ask(api: TestApi, content: string): Promise<ReceivedEvent[]> {
  return readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content }] }));
}

const types = (events: ReceivedEvent[]): string[] => events.map((e) => e.event.type).filter((t) => t !== 'metadata');

describe('upstream faults, each handled by the rule', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ AI_STREAM_MAX_RETRIES: '2', AI_STREAM_IDLE_TIMEOUT_MS: '400', AI_STREAM_MAX_RETRY_AFTER_MS: '1500' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('429 with Retry-After: one retry event that honours it, then one clean answer', async () => {
    const events = await ask(api, 'rate limited once [[fault:429:1]]');
    const retry = events.find((e) => e.event.type === 'retry')?.event;
    expect(retry).toMatchObject({ type: 'retry', attempt: 1, delayMs: 1000 });
    expect(types(events)[0]).toBe('start');
    expect(types(events)[1]).toBe('retry');
    expect(types(events).at(-1)).toBe('done');
    expect(textOf(events).length).toBeGreaterThan(20);
  });

  it('500 before the first token is retried with backoff; the answer arrives once', async () => {
    const events = await ask(api, 'server error twice [[fault:500:2]]');
    const retries = events.filter((e) => e.event.type === 'retry').map((e) => e.event);
    expect(retries).toHaveLength(2);
    expect(retries.map((r) => (r.type === 'retry' ? r.attempt : 0))).toEqual([1, 2]);
    const messages = [{ role: 'user' as const, content: 'server error twice [[fault:500:2]]' }];
    expect(textOf(events)).toBe(planOpenAIChatAnswer({ model: 'gpt-4o-mini', messages, max_tokens: 1024, stream: true }).text);
    expect(types(events).filter((t) => t === 'done')).toHaveLength(1);
  });

  it('gives up after the last attempt with a plain, retryable error', async () => {
    const events = await ask(api, 'always failing [[fault:500]]');
    expect(events.filter((e) => e.event.type === 'retry')).toHaveLength(2);
    const last = events.at(-1)?.event;
    expect(last).toMatchObject({ type: 'error', code: 'upstream_unavailable', retryable: true });
    if (last?.type === 'error') expect(last.message).not.toMatch(/server_error|stack|at /);
  });

  it('an error as the first upstream event (status 200) is retried', async () => {
    const events = await ask(api, 'first event error [[fault:error-first:1]]');
    expect(types(events)).toEqual(['start', 'retry', ...types(events).slice(2, -1), 'done']);
    expect(textOf(events).length).toBeGreaterThan(0);
  });

  it('an error after text is not retried: the text stays, then an error event', async () => {
    const events = await ask(api, 'mid stream error [[fault:error-mid]]');
    expect(events.some((e) => e.event.type === 'retry')).toBe(false);
    expect(textOf(events).length).toBeGreaterThan(0);
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_error' });
  });

  it('a dropped connection mid-stream ends with a retryable error and keeps the text', async () => {
    const events = await ask(api, 'dropped [[fault:drop]]');
    expect(textOf(events).length).toBeGreaterThan(0);
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_error', retryable: true });
  });

  it('a stalled upstream trips the idle watchdog, which aborts it', async () => {
    const closed = api.upstream.stats.nextStreamClosed();
    const events = await ask(api, 'stall [[fault:stall]]');
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_timeout', retryable: true });
    expect((await closed).reason).toBe('client-aborted');
  });

  it('garbage from the upstream becomes an error event, never a crash', async () => {
    const events = await ask(api, 'garbage [[fault:garbage]]');
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_error' });
    const after = await ask(api, 'still alive?');
    expect(types(after).at(-1)).toBe('done');
  });

  it('an unreachable upstream is retried, then reported', async () => {
    const dead = await startTestApi({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', AI_STREAM_MAX_RETRIES: '1' });
    try {
      const events = await ask(dead, 'anyone?');
      expect(types(events)).toEqual(['start', 'retry', 'error']);
      expect(events.at(-1)?.event).toMatchObject({ code: 'upstream_unavailable', message: 'Could not reach the model provider.', retryable: true });
    } finally {
      await dead.close();
    }
  });

  it('an upstream event past the 1 MiB bound is cut off: a plain error, the connection closed, nothing kept', async () => {
    // An upstream that sends one endless line: "data: xxxx…" in 64 KiB writes, up to 4 MiB.
    let closedEarly = false;
    let written = 0;
    const endless = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.on('close', () => (closedEarly = written < 4 * 1024 * 1024));
      const piece = 'x'.repeat(64 * 1024);
      const more = (): void => {
        while (written < 4 * 1024 * 1024 && !res.destroyed) {
          written += piece.length;
          if (!res.write(written === piece.length ? `data: ${piece}` : piece)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    const bounded = await startTestApi({ OPENAI_BASE_URL: `http://127.0.0.1:${(endless.address() as AddressInfo).port}/v1`, AI_STREAM_MAX_RETRIES: '0' });
    try {
      const events = await ask(bounded, 'say a lot');
      expect(types(events)).toEqual(['start', 'error']);
      expect(events.at(-1)?.event).toMatchObject({ code: 'upstream_error', message: 'The model provider sent a malformed stream.', retryable: true });
      await waitFor(() => closedEarly, 2_000, 'the upstream connection to be closed before its 4 MiB');
      expect(bounded.handler.registry.size).toBe(0);
      expect(bounded.logs.find((l) => l.event === 'error')?.detail).toMatch(/longer than 1048576 characters/);
    } finally {
      await bounded.close();
      endless.closeAllConnections();
      endless.close();
    }
  });

  it('leaves no stream in the registry after any of these', async () => {
    await waitFor(() => api.handler.registry.size === 0, 2_000, 'empty registry');
    expect(api.upstream.stats.openStreams).toBe(0);
  });
});
