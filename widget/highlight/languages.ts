/**
 * How one language's code splits into tokens: just enough for keywords, literals,
 * strings, numbers and comments. Not a grammar: a wrong colour on an odd construct is
 * acceptable, a slow or large highlighter is not (docs/widget.md, "Code blocks").
 */
export interface Language {
  readonly keywords: ReadonlySet<string>;
  /** `true`, `null` and the like: coloured apart from keywords. */
  readonly literals: ReadonlySet<string>;
  readonly lineComments: readonly string[];
  readonly blockComment?: readonly [open: string, close: string];
  /** String delimiters, longest first (`"""` before `"`). */
  readonly quotes: readonly string[];
  /** The delimiters whose strings may span lines. */
  readonly multiline: readonly string[];
  /** Keywords match in any case (SQL). */
  readonly ignoreCase?: boolean;
  /** Identifiers may hold `-` (CSS properties, shell flags). */
  readonly dashes?: boolean;
}

const words = (text: string): ReadonlySet<string> => new Set(text.split(' '));
const cStyle = { lineComments: ['//'], blockComment: ['/*', '*/'] } as const;
const none = words('');

const js: Language = {
  ...cStyle,
  keywords: words(
    'abstract as async await break case catch class const continue debugger declare default delete do else enum export extends finally for from function get if implements import in instanceof interface keyof let namespace new of private protected public readonly return satisfies set static super switch this throw try type typeof var void while with yield',
  ),
  literals: words('true false null undefined NaN Infinity'),
  quotes: ['"', "'", '`'],
  multiline: ['`'],
};

const python: Language = {
  keywords: words(
    'and as assert async await break case class continue def del elif else except finally for from global if import in is lambda match nonlocal not or pass raise return self try while with yield',
  ),
  literals: words('True False None'),
  lineComments: ['#'],
  quotes: ['"""', "'''", '"', "'"],
  multiline: ['"""', "'''"],
};

const shell: Language = {
  keywords: words('if then else elif fi case esac for while until do done in function return local export readonly declare set unset exit echo cd source alias sudo'),
  literals: words('true false'),
  lineComments: ['#'],
  quotes: ['"', "'"],
  multiline: [],
  dashes: true,
};

const go: Language = {
  ...cStyle,
  keywords: words(
    'break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var',
  ),
  literals: words('true false nil iota'),
  quotes: ['"', "'", '`'],
  multiline: ['`'],
};

const rust: Language = {
  ...cStyle,
  keywords: words(
    'as async await break const continue crate dyn else enum extern fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait type unsafe use where while',
  ),
  literals: words('true false None Some Ok Err'),
  // No `'`: it opens lifetimes ('a) far more often than chars.
  quotes: ['"'],
  multiline: ['"'],
};

const java: Language = {
  ...cStyle,
  keywords: words(
    'abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for if implements import instanceof int interface long native new package private protected public record return short static super switch synchronized this throw throws try var void volatile while',
  ),
  literals: words('true false null'),
  quotes: ['"', "'"],
  multiline: [],
};

const c: Language = {
  ...cStyle,
  keywords: words(
    'auto bool break case char class const constexpr continue default define delete do double else enum extern float for goto if include inline int long namespace new override private protected public register return short signed sizeof static struct switch template this typedef typename union unsigned using virtual void volatile while',
  ),
  literals: words('true false NULL nullptr'),
  quotes: ['"', "'"],
  multiline: [],
};

const csharp: Language = {
  ...cStyle,
  keywords: words(
    'abstract as async await base bool break byte case catch char class const continue decimal default delegate do double else enum event explicit extern finally fixed float for foreach get if implicit in int interface internal is lock long namespace new object operator out override params private protected public readonly record ref return sealed set short sizeof static string struct switch this throw try typeof uint ulong unsafe ushort using var virtual void volatile while',
  ),
  literals: words('true false null'),
  quotes: ['"', "'"],
  multiline: [],
};

const sql: Language = {
  keywords: words(
    'all alter and as asc begin between by case commit create default delete desc distinct drop else end exists foreign from full group having in index inner insert into is join key left like limit not offset on or order outer primary references returning right select set table then union update values when where with',
  ),
  literals: words('null true false'),
  lineComments: ['--'],
  blockComment: ['/*', '*/'],
  quotes: ["'", '"'],
  multiline: [],
  ignoreCase: true,
};

const css: Language = {
  keywords: none,
  literals: none,
  lineComments: [],
  blockComment: ['/*', '*/'],
  quotes: ['"', "'"],
  multiline: [],
  dashes: true,
};

const json: Language = { ...cStyle, keywords: none, literals: words('true false null'), quotes: ['"'], multiline: [] };

const yaml: Language = { keywords: none, literals: words('true false null yes no'), lineComments: ['#'], quotes: ['"', "'"], multiline: [], dashes: true };

const byName: Record<string, Language> = {};
for (const [language, names] of [
  [js, 'js javascript jsx mjs cjs ts typescript tsx node'],
  [python, 'py python python3'],
  [shell, 'sh bash shell zsh console shellsession'],
  [go, 'go golang'],
  [rust, 'rs rust'],
  [java, 'java'],
  [c, 'c h cpp c++ cc cxx hpp'],
  [csharp, 'cs csharp c#'],
  [sql, 'sql postgres postgresql mysql sqlite'],
  [css, 'css scss less'],
  [json, 'json jsonc json5'],
  [yaml, 'yaml yml'],
] as const) {
  for (const name of names.split(' ')) byName[name] = language;
}

/** The language a code block's label names (any case), or `undefined` when it is not one of the dozen known. */
export function languageNamed(label: string): Language | undefined {
  return Object.hasOwn(byName, label.toLowerCase()) ? byName[label.toLowerCase()] : undefined;
}
