/**
 * Issue 12's shared-store figures, on the rate-limit bench's Redis harness (a real
 * redis-server behind the Upstash REST translator): how soon a `DELETE` on one instance
 * stops an answer served by another, and how many store commands one streamed answer
 * costs with resume off, on, and on with every rate limit. Real handlers on 127.0.0.1
 * in front of the in-process local upstream, which records when each of its
 * connections closes.
 */
import { createParser } from 'eventsource-parser';
import type { StreamEvent } from '../../widget/shared/protocol.js';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat } from '../support/read-events.js';
import { uniquePrefix, type RedisHarness } from '../support/redis-harness.js';
import { CANCEL_POLL_MS } from '../../api/_lib/store/cancel-watcher.js';
import type { BenchSection } from './bench-section.js';
import { fmt, medianOf, quantile } from './bench-stats.js';

/** Issue 12: A's upstream is aborted within this long of the DELETE sent to B. */
const CANCEL_BUDGET_MS = 500;
const CANCEL_ROUNDS = 20;
const ANSWERS_PER_SETUP = 5;

/** Both shared-store tables, each a section of its own under the rate-limit one. */
export async function sharedStoreSections(harness: RedisHarness): Promise<BenchSection[]> {
  return [await cancelSection(harness), await commandsSection(harness)];
}

/** An answer's response read until its first token: the upstream is streaming. */
async function untilFirstToken(response: Response): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  while (!seen.includes('"type":"token"')) {
    const { done, value } = await reader.read();
    if (done) throw new Error('the answer ended before its first token');
    seen += decoder.decode(value, { stream: true });
  }
  return reader;
}

async function cancelSection(harness: RedisHarness): Promise<BenchSection> {
  const prefix = uniquePrefix();
  const make = (): Promise<TestApi> => startTestApi({}, { deps: { store: harness.store({ prefix }) } });
  const [a, b] = await Promise.all([make(), make()]);
  const closeMs: number[] = [];
  const deleteMs: number[] = [];
  try {
    // Round 0 warms the connections and the scripts; it is not counted.
    for (let round = 0; round <= CANCEL_ROUNDS; round++) {
      const response = await postChat(a.endpoint, { messages: [{ role: 'user', content: `cancel me ${round} [[length:5000]] [[pace:0,200]]` }] });
      const id = response.headers.get('x-stream-id') ?? '';
      const reader = await untilFirstToken(response);
      // A's poll starts with the stream: a DELETE right after the first token would always
      // land just before a poll. A random wait puts it at a random phase of the poll.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * CANCEL_POLL_MS));
      const closed = a.upstream.stats.nextStreamClosed();
      const sentAt = performance.now();
      const deleted = await fetch(`${b.endpoint}?id=${id}`, { method: 'DELETE' });
      const answeredAt = performance.now();
      if (deleted.status !== 204) throw new Error(`DELETE on B answered ${deleted.status}`);
      const upstream = await closed;
      if (upstream.reason !== 'client-aborted') throw new Error(`A's upstream closed as ${upstream.reason}`);
      while (!(await reader.read()).done);
      if (round === 0) continue;
      deleteMs.push(answeredAt - sentAt);
      closeMs.push(upstream.at - sentAt);
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
  const row = (name: string, ms: number[]): Array<string | number> => [name, fmt(quantile(ms, 0.5)), fmt(quantile(ms, 0.95)), fmt(Math.max(...ms)), ms.map((v) => fmt(v, 0)).join(', ')];
  const worst = Math.max(...closeMs);
  return {
    title: 'Shared store: cancel from another instance',
    method:
      `Two handler instances on one Redis (through the translator), ${CANCEL_ROUNDS} rounds after one warm-up: an answer is started on A and read to its first token, ` +
      `then, after a random wait of 0–${CANCEL_POLL_MS} ms (A's poll starts with the stream, so without it the DELETE would always land just before a poll), ` +
      `\`DELETE ?id=\` is sent to B. B raises the stream's cancel flag and answers 204; A reads the flags of its open streams every ${CANCEL_POLL_MS} ms ` +
      '(`CancelWatcher`, one MGET for all of them) and aborts the upstream. "Upstream closed" is the time from sending the DELETE to the local upstream seeing ' +
      "A's connection close (its own `stream-closed` record, same clock). Quantiles are interpolated.",
    columns: ['measure', 'p50 ms', 'p95 ms', 'max ms', 'rounds, ms'],
    rows: [row("DELETE sent to B → A's upstream connection closed", closeMs), ["DELETE sent to B → B's 204", ...row('', deleteMs).slice(1)]],
    verdicts: [`Cancel from another instance: A's upstream closed within ${fmt(worst)} ms at worst (budget ${CANCEL_BUDGET_MS} ms): ${worst <= CANCEL_BUDGET_MS ? 'PASS' : 'FAIL'}`],
  };
}

/** One answer's events as its client got them. */
async function readAll(response: Response): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  const parser = createParser({ onEvent: (message) => events.push(JSON.parse(message.data) as StreamEvent) });
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) parser.feed(decoder.decode(chunk, { stream: true }));
  return events;
}

/**
 * Resolves once the translator has served no command for `quietMs`: the writes that
 * follow `done` (the log's last append, a slot's release, a budget's settlement) are in.
 */
async function storeQuiet(harness: RedisHarness, quietMs = 300): Promise<void> {
  let last = harness.rest.stats.commands;
  let since = performance.now();
  while (performance.now() - since < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    if (harness.rest.stats.commands !== last) {
      last = harness.rest.stats.commands;
      since = performance.now();
    }
  }
}

interface AnswerCost {
  commands: string[];
  appends: number;
  flushes: number;
}

async function answerCost(harness: RedisHarness, api: TestApi, n: number): Promise<AnswerCost> {
  await storeQuiet(harness);
  const before = harness.rest.stats.commands;
  const response = await postChat(api.endpoint, { messages: [{ role: 'user', content: `count my commands ${n} [[length:200]] [[pace:0,500]]` }] });
  const id = response.headers.get('x-stream-id') ?? '';
  const events = await readAll(response);
  if (events.at(-1)?.type !== 'done') throw new Error('the answer did not end with done');
  await storeQuiet(harness);
  // Every command since `before`: the history keeps the last 50,000, far more than one answer makes.
  const made = harness.rest.stats.commands - before;
  const commands = made === 0 ? [] : harness.rest.commandsMentioning('').slice(-made).map((c) => c[0]?.toUpperCase() ?? '?');
  // The append script names the log and its meta; the read script (none here) the reader key too.
  const isAppend = (c: string[]): boolean => !!c[0]?.toUpperCase().startsWith('EVAL') && c.some((arg) => arg.endsWith(`{${id}}:log`)) && !c.some((arg) => arg.endsWith(`{${id}}:reader`));
  const appends = harness.rest.commandsMentioning(id).filter(isAppend).length;
  // A flush is one write to the client: a token (with the metadata riding on it), a retry, start; done leaves with the last one.
  return { commands, appends, flushes: events.filter((e) => e.type !== 'metadata').length };
}

async function commandsSection(harness: RedisHarness): Promise<BenchSection> {
  const limits = { AI_STREAM_RATE_REQUESTS: '100000/60s', AI_STREAM_RATE_STREAMS: '100', AI_STREAM_RATE_TOKENS: '1000000000/1h' };
  const setups: Array<[string, Record<string, string>]> = [
    ['resume off', { AI_STREAM_RESUME: 'off' }],
    ['resume on', {}],
    ['resume on + the three rate limits', limits],
  ];
  const rows: Array<Array<string | number>> = [];
  let appendsWithin = true;
  for (const [name, env] of setups) {
    const api = await startTestApi(env, { deps: { store: harness.store() } });
    try {
      await answerCost(harness, api, -1); // loads the scripts (EVALSHA, NOSCRIPT, EVAL) and the connection
      const costs: AnswerCost[] = [];
      for (let n = 0; n < ANSWERS_PER_SETUP; n++) costs.push(await answerCost(harness, api, n));
      appendsWithin &&= costs.every((c) => c.appends <= c.flushes);
      const byName = new Map<string, number>();
      for (const cost of costs) for (const command of cost.commands) byName.set(command, (byName.get(command) ?? 0) + 1);
      const perAnswer = [...byName].sort((x, y) => y[1] - x[1]).map(([command, count]) => `${command} ${fmt(count / costs.length)}`);
      rows.push([
        name,
        fmt(medianOf(costs.map((c) => c.commands.length)), 0),
        costs.map((c) => `${c.commands.length}/${c.appends}/${c.flushes}`).join(', '),
        fmt(medianOf(costs.map((c) => c.appends)), 0),
        fmt(medianOf(costs.map((c) => c.flushes)), 0),
        perAnswer.join(', '),
      ]);
    } finally {
      await api.close();
    }
  }
  return {
    title: 'Shared store: store commands per streamed answer',
    method:
      `One instance on Redis (through the translator); ${ANSWERS_PER_SETUP} answers of 200 tokens at 500 tokens/s (default coalescing, 100 ms) per setup after ` +
      "one warm-up answer, one at a time. Commands are counted at the translator from the POST to the store falling quiet for 300 ms after `done` " +
      "(the log's last append, a slot's release and a budget's settlement come after `done` reaches the client). Appends are the script calls naming the " +
      "stream's log; flushes are the writes the client got (events other than metadata, which rides with a token). The cancel watcher's MGET is one per " +
      'instance per 250 ms for all open streams, so one answer alone carries all of it.',
    columns: ['setup', 'commands per answer (median)', 'each answer: commands/appends/flushes', 'appends (median)', 'flushes (median)', 'by command, mean per answer'],
    rows,
    verdicts: [`Resume on: at most one append per flush in every answer: ${appendsWithin ? 'PASS' : 'FAIL'}`],
  };
}
