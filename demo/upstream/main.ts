import { startUpstream } from './server.js';

/**
 * Runs the local upstream on its own: `npx tsx demo/upstream/main.ts`.
 * PORT (default 4010) and HOST (default 127.0.0.1) choose where it listens;
 * UPSTREAM_FIRST_TOKEN_MS and UPSTREAM_TOKENS_PER_SECOND its pace.
 */

const port = Number(process.env['PORT'] ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(process.env['PORT'])}`);
  process.exit(1);
}

const upstream = await startUpstream({ port, host: process.env['HOST'] ?? '127.0.0.1' });
console.log(`local upstream listening on ${upstream.origin}`);
console.log('routes: /v1/chat/completions, /v1/responses, /v1/messages, /v1beta/models/{model}:streamGenerateContent, /api/chat');
console.log(`pace: ${upstream.pace.firstTokenMs} ms to first token, ${upstream.pace.tokensPerSecond || 'unlimited'} tokens/s`);
console.log(`use it with: OPENAI_BASE_URL=${upstream.url} OPENAI_API_KEY=anything`);
console.log(`         or: ANTHROPIC_BASE_URL=${upstream.origin}, GEMINI_BASE_URL=${upstream.origin}, OLLAMA_HOST=${upstream.origin}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void upstream.close().then(() => process.exit(0));
  });
}
