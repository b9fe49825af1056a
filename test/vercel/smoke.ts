import assert from 'node:assert/strict';
import { startUpstream } from '../../demo/upstream/server.js';

/**
 * Imports the function Vercel built and sends it one request, as Vercel's Node runtime
 * would (a Web Request to the exported POST), with the local upstream as the provider.
 */
const upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
let failed = 0;
try {
  process.env.OPENAI_API_KEY = 'sk-vercel-smoke';
  process.env.OPENAI_BASE_URL = upstream.url;
  const fn = (await import(process.argv[2] ?? '')) as { POST: (r: Request) => Promise<Response> };
  const response = await fn.POST(
    new Request('https://app.example/api/chat/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'smoke test [[length:40]]' }] }),
    }),
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const text = await response.text();
  const done = text.split('\n').find((line) => line.includes('"type":"done"'));
  assert.ok(done, 'the built function streamed to a done event');
  assert.match(done, /"completionTokens":40/);
  console.log('vercel build output: streamed 40 tokens to done');
} catch (err) {
  failed = 1;
  console.error(err);
} finally {
  await upstream.close();
}
console.log(`${1 - failed} passed, ${failed} failed`);
process.exit(failed);
