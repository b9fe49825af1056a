import type { ChatMessage } from '../../../../widget/shared/protocol.js';

/** A conversation as providers with a separate system prompt and strict turn-taking want it. */
export interface ChatTurns {
  /** Every system message, joined; undefined when there is none. */
  system: string | undefined;
  /** User and assistant turns, alternating, starting with the user. */
  turns: Array<{ role: 'user' | 'assistant'; content: string }>;
}

/**
 * Splits out the system messages and merges consecutive turns of one role (Anthropic
 * and Gemini reject two user turns in a row, which a failed answer leaves behind). A
 * conversation that opens with the assistant (a greeting the site showed) gets an
 * empty user turn before it, as both APIs require the user to speak first.
 */
export function toChatTurns(messages: readonly ChatMessage[]): ChatTurns {
  const system: string[] = [];
  const turns: ChatTurns['turns'] = [];
  for (const m of messages) {
    if (m.role === 'system') {
      system.push(m.content);
      continue;
    }
    const last = turns[turns.length - 1];
    if (last?.role === m.role) last.content += `\n\n${m.content}`;
    else turns.push({ role: m.role, content: m.content });
  }
  if (turns[0]?.role === 'assistant') turns.unshift({ role: 'user', content: '(conversation start)' });
  return { system: system.length > 0 ? system.join('\n\n') : undefined, turns };
}
