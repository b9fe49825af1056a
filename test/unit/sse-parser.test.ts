import fc from 'fast-check';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../api/_lib/upstream/sse-parser.js';
import { splitAt } from '../support/random-splits.js';

// The server's SSE parser against eventsource-parser, the library the widget uses: the
// same events from any stream, cut anywhere.

/** Runs our parser over the chunks. */
function ours(chunks: string[], maxChars = 1024 * 1024): { events: EventSourceMessage[]; overflow: boolean } {
  const events: EventSourceMessage[] = [];
  let overflow = false;
  const parser = new SseParser({ onSseMessage: (m) => events.push(m), onSseOverflow: () => (overflow = true) }, maxChars);
  for (const chunk of chunks) parser.feed(chunk);
  return { events, overflow };
}

/** Runs eventsource-parser over the chunks (it throws once terminated; we stop feeding then). */
function library(chunks: string[], maxBufferSize = 1024 * 1024): { events: EventSourceMessage[]; overflow: boolean } {
  const events: EventSourceMessage[] = [];
  let overflow = false;
  const parser = createParser({
    onEvent: (m) => events.push({ id: m.id, event: m.event, data: m.data }),
    onError: (e) => {
      if (e.type === 'max-buffer-size-exceeded') overflow = true;
    },
    maxBufferSize,
  });
  for (const chunk of chunks) {
    if (overflow) break;
    parser.feed(chunk);
  }
  return { events, overflow };
}

const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ':', 'é', '日', '😀', '\0', '{', '"', 'd', 'i'), maxLength: 12 });
const line = fc.oneof(
  text.map((t) => `data: ${t}`),
  text.map((t) => `data:${t}`),
  fc.constant('data'),
  fc.constant('data:'),
  text.map((t) => `event: ${t}`),
  fc.constant('event:'),
  text.map((t) => `id: ${t}`),
  fc.constant('id'),
  text.map((t) => `: ${t}`),
  fc.constant(':'),
  fc.constantFrom('retry: 1000', 'retry: soon', 'retry'),
  text.map((t) => `foo: ${t}`),
  text.map((t) => `x${t}`),
  fc.constant(''),
  fc.constant(''),
);
const ending = fc.constantFrom('\n', '\n', '\r\n', '\r');
/** A stream of lines, each with its own line ending (mixed endings are legal). */
const stream = fc.array(fc.tuple(line, ending), { maxLength: 40 }).map((lines) => lines.map(([l, e]) => l + e).join(''));

/**
 * eventsource-parser holds a CR that ends a read until the next read says whether an LF
 * follows: it never dispatches the last event of a stream that ends in a bare CR, and it
 * counts the held line against its bound. Ours takes that CR as a line end at once (the
 * standard's parser does). For the library, each cut just after a CR moves past it (and
 * past the CRs that follow), and a stream that ends in a CR gets the LF that cannot
 * change its meaning: the same stream, which the two must then read alike.
 */
function libraryCut(text: string, points: number[]): string[] {
  const whole = text.endsWith('\r') ? `${text}\n` : text;
  // Past every CR in a row: a cut moved past one CR onto another ("\r\r") would still end
  // the library's read in a CR it holds.
  const past = (at: number): number => (at < whole.length && whole[at - 1] === '\r' ? past(at + 1) : at);
  return splitAt(whole, points.map((p) => past(Math.floor(p * text.length))));
}

/** Cuts `text` at the given fractions of its length. */
const cut = (text: string, points: number[]): string[] => splitAt(text, points.map((p) => Math.floor(p * text.length)));
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

describe('SSE parser', () => {
  it('finds the same events as eventsource-parser in any stream, cut anywhere', () => {
    fc.assert(
      fc.property(stream, cuts, (text, points) => {
        const chunks = cut(text, points);
        expect(ours(chunks).events).toEqual(library(libraryCut(text, points)).events);
      }),
      { numRuns: 3000 },
    );
  });

  it('stops at the same point as eventsource-parser when a line or an event outgrows the bound', () => {
    fc.assert(
      fc.property(stream, cuts, fc.integer({ min: 4, max: 40 }), (text, points, max) => {
        // The same reads for both: where a read ends decides what is pending when the bound
        // is checked, so a cut moved for the library alone (past a CR it would hold)
        // compared two different checks (a property run found "data:\ndata:aaaaaa\r|\r").
        const chunks = libraryCut(text, points);
        const expected = library(chunks, max);
        const actual = ours(chunks, max);
        expect(actual.overflow).toBe(expected.overflow);
        expect(actual.events).toEqual(expected.events);
      }),
      { numRuns: 2000 },
    );
  });

  it('dispatches the last event of a bare-CR stream without waiting for more input', () => {
    // The local upstream's `bare-cr` fault frames every event this way.
    const body = 'data: {"a":1}\r\rdata: [DONE]\r\r';
    for (let i = 0; i <= body.length; i++) expect(ours([body.slice(0, i), body.slice(i)]).events.map((e) => e.data)).toEqual(['{"a":1}', '[DONE]']);
  });

  it('reads bare-CR and CRLF streams, cut anywhere, as eventsource-parser reads their LF twins', () => {
    const lfStream = fc.array(line, { maxLength: 30 }).map((lines) => lines.map((l) => `${l}\n`).join(''));
    fc.assert(
      fc.property(lfStream, fc.constantFrom('\r', '\r\n'), cuts, (lf, ending, points) => {
        const text = lf.replaceAll('\n', ending);
        const expected = library([lf]).events;
        expect(ours(cut(text, points)).events).toEqual(expected);
        expect(library(libraryCut(text, points)).events).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('takes an LF that starts a read after a CR that ended the one before as one CRLF', () => {
    expect(ours(['data: a\r', '\ndata: b\r', '\n\r', '\n']).events.map((e) => e.data)).toEqual(['a\nb']);
    expect(ours(['data: a\r', '', '\n', '\n']).events.map((e) => e.data)).toEqual(['a']);
  });

  it('reads a CRLF stream cut between CR and LF when the next read has no CR (a Gemini stream at an unlucky split)', () => {
    // The skipped LF was found again by the LF-only loop, which added an empty data line.
    expect(ours(['data: a\r', '\ndata: b\n\n']).events.map((e) => e.data)).toEqual(['a\nb']);
    expect(ours(['data: {"x":1}\r', '\ndata: {"y":2}']).events).toEqual([]);
    expect(ours(['data: {"x":1}\r\n\r', '\ndata: {"y":2}\n\n']).events.map((e) => e.data)).toEqual(['{"x":1}', '{"y":2}']);
  });

  it('reads a provider stream byte-split in every place', () => {
    const body = 'data: {"a":1}\n\ndata: {"b":"x\\ny"}\n\n: keep-alive\n\nevent: ping\ndata: {}\n\ndata: [DONE]\n\n';
    const whole = ours([body]).events;
    expect(whole.map((e) => e.data)).toEqual(['{"a":1}', '{"b":"x\\ny"}', '{}', '[DONE]']);
    expect(whole[2]).toEqual({ id: undefined, event: 'ping', data: '{}' });
    for (let i = 1; i < body.length; i++) expect(ours([body.slice(0, i), body.slice(i)]).events).toEqual(whole);
  });

  it('drops a byte order mark at the start of the stream only', () => {
    // A second BOM is part of a line: "\uFEFFdata" is an unknown field, so no event.
    expect(ours(['\uFEFFdata: x\n\n', '\uFEFFdata: y\n\n']).events.map((e) => e.data)).toEqual(['x']);
  });

  it('joins multi-line data and dispatches nothing for an event without data', () => {
    expect(ours(['event: a\nid: 1\n\ndata: one\ndata: two\n\n']).events).toEqual([{ id: undefined, event: undefined, data: 'one\ntwo' }]);
  });

  it('ignores input after an overflow', () => {
    const result = ours(['data: ' + 'x'.repeat(100), '\n\ndata: later\n\n'], 50);
    expect(result.overflow).toBe(true);
    expect(result.events).toEqual([]);
  });
});
