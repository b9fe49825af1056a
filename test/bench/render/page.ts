/**
 * The render bench's page script (bundled by esbuild, served as /bench/page.js; the
 * element comes from the built script-tag file). `?variant=` picks how code is coloured:
 * `highlight` (the element's own CSS Custom Highlight API chunk), `spans` (the API
 * hidden, and each changed code block re-rendered as token spans after every frame, as
 * span-based highlighters do), or `plain` (the API hidden: no colours at all).
 */
import { languageNamed, type Language } from '../../../widget/highlight/languages.js';
import { tokenizeLine, type LineState } from '../../../widget/highlight/tokenize.js';

/** What one run measured in the page. */
export interface PageRun {
  wallMs: number;
  longTasks: number[];
  longestFrameGapMs: number;
  textNodes: number;
  adjacentTextNodes: number;
  codeBlocks: number;
  highlightedRanges: number;
  spans: number;
  answerChars: number;
  cspViolations: string[];
}

const variant = new URLSearchParams(location.search).get('variant') ?? 'highlight';
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.effectiveDirective} ${event.blockedURI}`));
// Where the API is missing the element leaves code plain: that is how the other two variants opt out.
if (variant !== 'highlight') delete (window as { Highlight?: unknown }).Highlight;

const longTasks: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTasks.push(entry.duration);
}).observe({ type: 'longtask', buffered: true });

const chat = document.createElement('ai-stream-chat') as HTMLElement & { send(text: string): Promise<void>; updateComplete: Promise<boolean> };
chat.setAttribute('endpoint', '/stream');
chat.setAttribute('usage', 'hidden');
document.body.append(chat);

/** Re-renders a code block's text as spans of coloured tokens (what a span-based highlighter does on each update). */
function renderSpans(code: HTMLElement, language: Language): void {
  const text = code.textContent ?? '';
  const nodes: Node[] = [];
  let state: LineState;
  for (const line of text.split('\n')) {
    let at = 0;
    state = tokenizeLine(language, line, state, (kind, start, end) => {
      if (start > at) nodes.push(document.createTextNode(line.slice(at, start)));
      const span = document.createElement('span');
      span.className = `tok-${kind}`;
      span.textContent = line.slice(start, end);
      nodes.push(span);
      at = end;
    });
    nodes.push(document.createTextNode(`${line.slice(at)}\n`));
  }
  const last = nodes.at(-1);
  if (last instanceof Text) last.data = last.data.slice(0, -1);
  code.replaceChildren(...nodes);
}

function watchSpans(root: ShadowRoot): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync('.tok-keyword{color:#b3245c}.tok-literal,.tok-number{color:#0550ae}.tok-string{color:#116329}.tok-comment{color:#59636e}');
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  const observer = new MutationObserver((records) => {
    const changed = new Set<HTMLElement>();
    for (const record of records) {
      const code = (record.target instanceof Element ? record.target : record.target.parentElement)?.closest<HTMLElement>('pre[data-lang] > code');
      if (code) changed.add(code);
    }
    for (const code of changed) {
      const language = languageNamed(code.parentElement?.getAttribute('data-lang') ?? '');
      if (language) renderSpans(code, language);
    }
    // Our own changes are not news.
    observer.takeRecords();
  });
  observer.observe(root, { subtree: true, childList: true, characterData: true });
}

function countTextNodes(root: Node): { textNodes: number; adjacent: number } {
  let textNodes = 0;
  let adjacent = 0;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    textNodes++;
    if (node.previousSibling?.nodeType === Node.TEXT_NODE) adjacent++;
  }
  return { textNodes, adjacent };
}

async function run(): Promise<PageRun> {
  await chat.updateComplete;
  const root = chat.shadowRoot;
  if (!root) throw new Error('no shadow root');
  if (variant === 'spans') watchSpans(root);
  let longestFrameGapMs = 0;
  let running = true;
  let last = performance.now();
  const frame = (now: number): void => {
    longestFrameGapMs = Math.max(longestFrameGapMs, now - last);
    last = now;
    if (running) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const started = performance.now();
  longTasks.length = 0;
  await new Promise<void>((resolve) => {
    chat.addEventListener('ai-stream-done', () => resolve(), { once: true });
    void chat.send('The bench answer, please.');
  });
  running = false;
  const wallMs = performance.now() - started;
  await chat.updateComplete;
  const answer = [...root.querySelectorAll('[part~="content"]')].at(-1);
  if (!answer) throw new Error('no answer on screen');
  const { textNodes, adjacent } = countTextNodes(answer);
  let highlightedRanges = 0;
  if ('highlights' in CSS) for (const [name, highlight] of CSS.highlights) if (name.startsWith('ai-stream-chat-')) highlightedRanges += highlight.size;
  return {
    wallMs,
    longTasks: [...longTasks],
    longestFrameGapMs,
    textNodes,
    adjacentTextNodes: adjacent,
    codeBlocks: answer.querySelectorAll('pre').length,
    highlightedRanges,
    spans: answer.querySelectorAll('pre span').length,
    answerChars: answer.textContent?.length ?? 0,
    cspViolations: [...violations],
  };
}

Object.assign(window, { renderBench: run });
