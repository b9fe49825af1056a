import { parseSync, Visitor, type Plugin } from 'vite';

/**
 * A build plugin that squeezes the whitespace out of Lit's `css` and `html` tagged
 * templates in the widget's own sources. The JS minifier leaves template literals
 * alone (their text is data), and the script-tag file has a 20 KB min+gzip budget in
 * which the stylesheet's indentation alone costs a few hundred bytes.
 *
 * Only changes that cannot alter what renders: in `css`, comments go and whitespace
 * shrinks next to `{ } ; , :` (never inside quoted strings, never around `+`/`-`, which
 * `calc()` needs); in `html`, a run of whitespace that holds a line break becomes one
 * space, which HTML renders the same outside `<pre>` (templates with `<pre` are skipped).
 */
export function minifyLitTemplates(include: RegExp): Plugin {
  return {
    name: 'ai-stream-chat:minify-lit-templates',
    apply: 'build',
    transform: {
      filter: { id: include, code: /\b(css|html)`/ },
      handler(code, id) {
        const edits = templateEdits(code, id);
        if (edits.length === 0) return null;
        let out = code;
        // From the end, so earlier offsets stay valid.
        for (const edit of edits.sort((a, b) => b.start - a.start)) {
          out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
        }
        // No source map: the edits only touch template text, which maps to nothing useful.
        return { code: out, map: null };
      },
    },
  };
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function templateEdits(code: string, id: string): Edit[] {
  const edits: Edit[] = [];
  const { program } = parseSync(id, code);
  new Visitor({
    TaggedTemplateExpression(node) {
      if (node.tag.type !== 'Identifier') return;
      const tag = node.tag.name;
      if (tag !== 'css' && tag !== 'html') return;
      const quasis = node.quasi.quasis;
      if (tag === 'html' && quasis.some((quasi) => /<pre\b/i.test(quasi.value.raw))) return;
      for (const quasi of quasis) {
        const raw = quasi.value.raw;
        // A quasi's span includes its delimiters (the backtick, `}` or `${`).
        const start = quasi.start + 1;
        const text = tag === 'css' ? minifyCss(raw) : collapseHtmlWhitespace(raw);
        if (text !== raw) edits.push({ start, end: start + raw.length, text });
      }
    },
  }).visit(program);
  return edits;
}

/** Minifies CSS text outside quoted strings. */
export function minifyCss(raw: string): string {
  // Comments go first, found with the strings, whichever starts first: a quote inside a
  // comment (an apostrophe) opens no string, and a comment inside a string stays text.
  const uncommented = raw.replace(/('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|\/\*[\s\S]*?\*\//g, (_match, string?: string) => string ?? '');
  return uncommented
    .split(/('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/)
    .map((part, index) => (index % 2 === 1 ? part : minifyCssCode(part)))
    .join('');
}

function minifyCssCode(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/ ?([{};,]) ?/g, '$1')
    .replace(/: /g, ':')
    .replace(/;}/g, '}')
    // Selector combinators need no spaces; in values `>` and `+` never stand alone like this
    // except in calc(), where `+` keeps its spaces (so only `>` and `~` here).
    .replace(/ ?([>~]) ?/g, '$1')
    // 0.5em is .5em; #ffffff is #fff (only a six-digit colour made of three doubled digits).
    .replace(/(^|[^\w.#-])0\.(\d)/g, '$1.$2')
    .replace(/#([\da-f])\1([\da-f])\2([\da-f])\3\b/gi, '#$1$2$3');
}

/** Turns every run of whitespace that holds a line break into one space. */
export function collapseHtmlWhitespace(raw: string): string {
  return raw.replace(/[ \t]*\n\s*/g, ' ');
}
