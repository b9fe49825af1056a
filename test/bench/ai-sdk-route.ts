import { createAiSdkHandler } from './ai-sdk-handler.js';

/**
 * The AI SDK's chat route as a Vercel function file, the counterpart of
 * `api/chat/stream.ts` for the cold-start benchmark: the handler is made when the
 * module loads, from the environment, and exported as POST.
 */
const handler = createAiSdkHandler(process.env.OPENAI_BASE_URL ?? '');

export const POST = handler;
