import { describe, expect, it } from 'vitest';
import { minifyCss } from '../../widget/build/minify-lit-templates.js';

// The build squeezes the element's stylesheet (widget/build/minify-lit-templates.ts):
// each rule must only drop what cannot change how the CSS reads.
describe('minifyCss', () => {
  it('drops the spaces around selector combinators > and ~, never those of calc()', () => {
    expect(minifyCss('.a > .b ~ .c { width: calc(1em + 2px); }')).toBe('.a>.b~.c{width:calc(1em + 2px)}');
  });

  it('writes 0.5 as .5, and leaves 10.5, 1.05 and names with a 0 alone', () => {
    expect(minifyCss('.x { margin: 0.5em 0 0.25em; flex: 10.5; line-height: 1.05; animation: a0.5s; }')).toBe(
      '.x{margin:.5em 0 .25em;flex:10.5;line-height:1.05;animation:a0.5s}',
    );
  });

  it('shortens a six-digit colour of doubled digits, and no other', () => {
    expect(minifyCss('a { color: #ffffff; background: #FFEEDD; border-color: #0b57d0; outline-color: #ffffff80; }')).toBe(
      'a{color:#fff;background:#FED;border-color:#0b57d0;outline-color:#ffffff80}',
    );
  });

  it('drops a comment with a quote in it, and minifies what follows (the quote opens no string)', () => {
    expect(minifyCss(".a { color: red; } /* the end of a line's */\n.b::before { content: 'x /* y */'; }")).toBe(
      ".a{color:red}.b::before{content:'x /* y */'}",
    );
  });

  it('leaves quoted strings as they are', () => {
    expect(minifyCss(".x::before { content: 'a > b 0.5 #ffffff'; }")).toBe(".x::before{content:'a > b 0.5 #ffffff'}");
  });
});
