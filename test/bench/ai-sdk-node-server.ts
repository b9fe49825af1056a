import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { convertToModelMessages, streamText, type UIMessage } from 'ai';

/**
 * The AI SDK as its documentation tells a user to serve a chat on Node
 * (ai-sdk.dev, "Node.js HTTP Server"): `streamText` piped to a `node:http` response with
 * `pipeUIMessageStreamToResponse`, no framework. The model is the documented provider
 * for an OpenAI-compatible base URL, `@ai-sdk/openai-compatible`'s `chatModel`, with its
 * defaults, pointed at the same local upstream. The body is what `useChat` posts (UI
 * messages), turned into model messages with `convertToModelMessages` as the chat
 * route of the docs does. Like the recipe, it does not pass an abort signal.
 */
export function createAiSdkNodeServer(upstreamUrl: string): Server {
  const provider = createOpenAICompatible({ name: 'local', baseURL: upstreamUrl, apiKey: 'bench' });
  const model = provider.chatModel('gpt-4o-mini');
  return createServer(async (req, res) => {
    try {
      const { messages } = JSON.parse(await readBody(req)) as { messages: UIMessage[] };
      const result = streamText({ model, messages: await convertToModelMessages(messages) });
      result.pipeUIMessageStreamToResponse(res);
    } catch {
      if (!res.headersSent) res.writeHead(400).end();
    }
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
