import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UpstreamEvent } from '../../api/_lib/upstream/providers/provider-adapter.js';

/** The `data:` payloads of a recorded OpenAI chat completions stream (gpt-4.1-nano, with usage). */
const payloads = readFileSync(new URL('../fixtures/openai-text.chunks.txt', import.meta.url), 'utf8').trim().split('\n');

/** The recorded stream as OpenAI sends it on the wire, with CRLF or LF line endings. */
export function openaiFixtureWire(eol: '\n' | '\r\n'): Uint8Array {
  return new TextEncoder().encode(payloads.map((p) => `data: ${p}${eol}${eol}`).join(''));
}

/** The text the recorded stream carries. */
export const OPENAI_FIXTURE_TEXT = 'Holiday cheer — café 東京 🚀\n- one\n- two';
/** The adapter's events after the text, in order. */
export const OPENAI_FIXTURE_END: readonly UpstreamEvent[] = [
  { type: 'finish', reason: 'stop' },
  { type: 'usage', promptTokens: 16, completionTokens: 300 },
  { type: 'end' },
];

/** An upstream on 127.0.0.1 that answers every request with the next of the byte pieces it is given. */
export interface ReplayUpstream {
  /** Base URL, as `OPENAI_BASE_URL` takes it. */
  url: string;
  /** The pieces the next answer is written in, one write each. */
  next(pieces: Uint8Array[]): void;
  close(): Promise<void>;
}

/**
 * Replays recorded bytes as an OpenAI-compatible streaming answer, each piece its own
 * write, the next one only after the previous one left for the socket and a turn of
 * the event loop, so the pieces reach the reader as separate reads (mostly: TCP may
 * still merge them).
 */
export async function startReplayUpstream(): Promise<ReplayUpstream> {
  let pieces: Uint8Array[] = [];
  const server = createServer((req, res) => {
    const answer = pieces;
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      for (const piece of answer) {
        await new Promise<void>((resolve) => res.write(piece, () => setImmediate(resolve)));
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    next: (replay) => void (pieces = replay),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
