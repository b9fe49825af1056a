import type { ChatMessage } from './shared/protocol.js';

/**
 * The conversation as a provider accepts it, from the transcript as the reader sees it.
 * A failed turn stays on screen, but an answer that failed before any text is no
 * answer: it is left out, and so is its unanswered question when the reader moved on
 * and asked something else (providers want user and assistant turns to alternate).
 * The question is skipped rather than merged into the next one: a question that made
 * the request fail (too long, refused) would otherwise fail every later turn too.
 * Retry asks it again on purpose.
 */
export function requestHistory(messages: readonly ChatMessage[]): ChatMessage[] {
  const answered = messages.filter((message) => message.role !== 'assistant' || message.content !== '');
  return answered.filter((message, index) => message.role !== 'user' || answered[index + 1]?.role !== 'user');
}
