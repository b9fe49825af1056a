import { AiStreamChat } from './ai-stream-chat.js';

// Guarded: a page may load the script tag twice (or two bundles may carry the element).
if (!customElements.get('ai-stream-chat')) customElements.define('ai-stream-chat', AiStreamChat);

declare global {
  interface HTMLElementTagNameMap {
    'ai-stream-chat': AiStreamChat;
  }
}
