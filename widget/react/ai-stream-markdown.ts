import { createElement, useLayoutEffect, useRef, type ReactElement } from 'react';
import { createMarkdownView, type MarkdownView } from '../markdown-view.js';

/** Props of {@link AiStreamMarkdown}. */
export interface AiStreamMarkdownProps {
  /** The answer so far (the hook's `text`). */
  text: string;
  /** True while more text may come; when it turns false the renderer flushes what it held back. */
  streaming?: boolean;
  className?: string;
}

/**
 * Renders a streamed markdown answer the way the element does, and as safely: elements
 * from a fixed list, text as text nodes (raw HTML in the answer shows as text), links
 * only when http(s) or mailto, images as links. Text that grows is parsed incrementally
 * (only the new part); text that changes otherwise is rendered anew.
 *
 * @example
 * const { text, streaming } = useAIStream();
 * return <AiStreamMarkdown text={text} streaming={streaming} />;
 */
export function AiStreamMarkdown({ text, streaming = false, className }: AiStreamMarkdownProps): ReactElement {
  const root = useRef<HTMLDivElement>(null);
  const state = useRef<{ view: MarkdownView; written: string; ended: boolean } | undefined>(undefined);
  useLayoutEffect(() => {
    const node = root.current;
    if (!node) return;
    let current = state.current;
    if (!current || current.ended || !text.startsWith(current.written)) {
      node.replaceChildren();
      current = { view: createMarkdownView(node), written: '', ended: false };
      state.current = current;
    }
    current.view.write(text.slice(current.written.length));
    current.written = text;
    if (!streaming && text) {
      current.view.end();
      current.ended = true;
    }
  }, [text, streaming]);
  // React owns the element, never its children: the markdown view writes them.
  return createElement('div', { ref: root, className });
}
