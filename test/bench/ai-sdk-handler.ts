import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { convertToModelMessages, streamText, type UIMessage } from 'ai';

/**
 * The comparison the issue names: the Vercel AI SDK's documented chat route
 * (`streamText` + `toUIMessageStreamResponse()`, the server half of `useChat`) over an
 * OpenAI-compatible provider pointed at the same local upstream. A Web-standard handler,
 * mounted on Node the same way as ours.
 */
export function createAiSdkHandler(upstreamUrl: string): (request: Request) => Promise<Response> {
  const provider = createOpenAICompatible({ name: 'local', baseURL: upstreamUrl, apiKey: 'bench', includeUsage: true });
  const model = provider.chatModel('gpt-4o-mini');
  return async (request) => {
    const { messages } = (await request.json()) as { messages: UIMessage[] };
    const result = streamText({ model, messages: await convertToModelMessages(messages), abortSignal: request.signal });
    return result.toUIMessageStreamResponse();
  };
}
