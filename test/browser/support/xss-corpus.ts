import { strings } from '../../../widget/strings.js';
/**
 * Markdown an attacker might get a model to write. Every payload, if it ever ran,
 * would bump `window.__xssHits` or fetch a URL containing `xss-tracker`; rendering
 * must leave both untouched.
 */
export const hit = 'window.__xssHits=(window.__xssHits||0)+1';

export const xssCorpus: readonly string[] = [
  `<img src=x onerror="${hit}">`,
  `<svg onload="${hit}"><circle r="1"/></svg>`,
  `<script>${hit}</script>`,
  `<iframe src="javascript:${hit}"></iframe>`,
  `<a href="javascript:${hit}">raw html link</a>`,
  `<details open ontoggle="${hit}">x</details>`,
  `<style>:host{display:none} *{display:none}</style>`,
  `<form action="javascript:${hit}"><button>go</button></form>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${hit}">`,
  `[x](javascript:alert(1))`,
  `[click](javascript:${hit})`,
  `[click](JaVaScRiPt:${hit})`,
  `[click]( javascript:${hit})`,
  `[click](java\tscript:${hit})`,
  `[click](java\nscript:${hit})`,
  `[click](&#106;avascript:${hit})`,
  `[click](&#x6A;avascript:${hit})`,
  `[click](%6Aavascript:${hit})`,
  `[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
  `[click](vbscript:msgbox(1))`,
  `[click](//xss-tracker.invalid/protocol-relative)`,
  `[a](https://example.com/" onmouseover="${hit})`,
  `[<img src=x onerror="${hit}">](https://example.com/)`,
  `![alt](javascript:${hit})`,
  `![tracker](http://127.0.0.1:9/xss-tracker.png)`,
  `![](https://127.0.0.1:9/xss-tracker-no-alt.png)`,
  `<javascript:${hit}>`,
  `<http://127.0.0.1:9/xss-tracker-autolink>`,
  `https://example.com/raw?<img src=x onerror="${hit}">`,
  `[ref][1]\n\n[1]: javascript:${hit}`,
  `**bold <img src=x onerror="${hit}">**`,
  '`</code><img src=x onerror="' + hit + '">`',
  '```html\n<img src=x onerror="' + hit + '">\n<script>' + hit + '</script>\n```',
  '```"><img src=x onerror="' + hit + '">\ncode\n```',
  `- [x] <img src=x onerror="${hit}">`,
  `| a | <img src=x onerror="${hit}"> |\n|---|---|\n| <svg onload="${hit}"> | b |`,
  `$$<img src=x onerror="${hit}">$$`,
  `> <iframe srcdoc="<script>${hit}</script>"></iframe>`,
];

/** The whole corpus as one answer, a paragraph per payload. */
export const xssAnswer = xssCorpus.join('\n\n');

// Everything the safe renderer may create; anything else means markup got through.
const allowedTags = new Set([
  'DIV', 'P', 'BR', 'HR', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'EM', 'STRONG', 'S', 'CODE', 'PRE', 'A', 'UL', 'OL', 'LI',
  'SPAN', 'BLOCKQUOTE', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD',
]);
const allowedAttributes = new Set(['href', 'rel', 'target', 'class', 'part', 'start', 'data-lang']);

/**
 * Everything about `root`'s subtree that is not inert: unknown tags, event handler or
 * unknown attributes, links that are not http(s)/mailto. Empty when safe.
 */
export function unsafeFindings(root: Element | ShadowRoot): string[] {
  const findings: string[] = [];
  for (const element of root.querySelectorAll('*')) {
    if (isCopyCodeButton(element)) continue;
    if (!allowedTags.has(element.tagName)) findings.push(`<${element.tagName.toLowerCase()}>`);
    for (const attribute of element.attributes) {
      if (!allowedAttributes.has(attribute.name) && !isCodeBlockAttribute(element, attribute)) findings.push(`${element.tagName.toLowerCase()}[${attribute.name}]`);
    }
    const href = element.getAttribute('href');
    if (href !== null && !/^(https?:\/\/|mailto:)/.test(href)) findings.push(`href=${href}`);
  }
  return findings;
}

/** What the renderer itself sets on a code block (a named keyboard stop): fixed values, nothing from the model. */
function isCodeBlockAttribute(element: Element, { name, value }: Attr): boolean {
  const fixed: Record<string, string> = { tabindex: '0', role: 'group', 'aria-label': strings.code };
  return element.tagName === 'PRE' && fixed[name] === value;
}

/** The element's own copy button after a code block: fixed attributes, no text, nothing from the model. */
function isCopyCodeButton(element: Element): boolean {
  const names = [...element.attributes].map((attribute) => attribute.name).sort().join(' ');
  return (
    element.tagName === 'BUTTON' &&
    names === 'aria-label class part type' &&
    element.className === 'secondary copy-code' &&
    element.getAttribute('aria-label') === strings.copyCode &&
    element.childNodes.length === 0
  );
}
