import { executeServerCommand } from '@web/test-runner-commands';
import type { AiStreamChat } from '../../../widget/ai-stream-chat.js';
import '../../../widget/index.js';
import type { UpstreamCloseQuery, UpstreamCloseResult } from '../../support/wtr-real-server.js';

const mounted: HTMLElement[] = [];

/** Puts an `<ai-stream-chat>` with these properties on the page; removed by {@link cleanup}. */
export async function mountChat(
  properties: Partial<Pick<AiStreamChat, 'mode' | 'heading' | 'model' | 'schema' | 'maxTokens'>> = {},
  parent: HTMLElement = document.body,
): Promise<AiStreamChat> {
  const chat = document.createElement('ai-stream-chat');
  Object.assign(chat, properties);
  parent.append(chat);
  mounted.push(chat);
  await chat.updateComplete;
  return chat;
}

/** Removes everything the test mounted (and so aborts what still streams). */
export function cleanup(): void {
  for (const element of mounted.splice(0)) element.remove();
}

/** The element's shadow root. */
export function shadow(chat: AiStreamChat): ShadowRoot {
  if (!chat.shadowRoot) throw new Error('<ai-stream-chat> has no shadow root');
  return chat.shadowRoot;
}

/** One part of the element's shadow DOM (by `part` name), or `null`. */
export function part<T extends Element = HTMLElement>(chat: AiStreamChat, name: string): T | null {
  return shadow(chat).querySelector<T>(`[part~="${name}"]`);
}

/** The rendered content of the last assistant answer (the one streaming, or the last one). */
export function lastAnswer(chat: AiStreamChat): HTMLElement {
  const answers = shadow(chat).querySelectorAll<HTMLElement>('[part~="assistant"] [part~="content"]');
  const last = answers[answers.length - 1];
  if (!last) throw new Error('No assistant answer on screen');
  return last;
}

/** A string no other test's prompt contains: it keys the upstream's fault counts and its request log. */
export function nonce(): string {
  return `t${Date.now().toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`;
}

/** Polls `check` until it returns something truthy (a throw counts as not yet); fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(check: () => T, what: string, timeoutMs = 8000): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      // Not there yet (a query that throws until the element renders).
      lastError = error;
    }
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves with the next event of this name on `target`. */
export function nextEvent<K extends keyof HTMLElementEventMap>(target: HTMLElement, name: K): Promise<HTMLElementEventMap[K]> {
  return new Promise((resolve) => target.addEventListener(name, resolve, { once: true }));
}

/** How the local upstream's request for the prompt holding `nonce` ended (asked of the real server). */
export function upstreamClose(query: UpstreamCloseQuery): Promise<UpstreamCloseResult> {
  return executeServerCommand<UpstreamCloseResult, UpstreamCloseQuery>('upstream-close', query);
}

/** Waits for the browser to paint twice: Lit updates and animation-frame batches have landed. */
export async function painted(): Promise<void> {
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}
