import { describe, expect, it } from 'vitest';
import { scrubSecrets, scrubbingLogger, silentLogger, type LogFields } from '../../api/_lib/ops/log.js';

describe('the log scrubber', () => {
  it('adds nothing in front of a logger that writes nothing', () => {
    expect(scrubbingLogger(silentLogger, ['my-own-key-1234'])).toBe(silentLogger);
  });

  it('replaces key-shaped values, bearer tokens and the configured keys in every string field', () => {
    const lines: LogFields[] = [];
    const log = scrubbingLogger((_event, fields) => lines.push(fields), ['my-own-key-1234']);
    log('error', {
      a: 'Incorrect API key provided: sk-proj-AbCdEf0123456789xyz',
      b: '{"authorization":"Bearer abc.def-ghi_123"}',
      c: 'token eyJhbGciOiJIUzI1NiJ9eyJzdWIiOiIxMjM0NTY3ODkwIn0aBc',
      d: 'the key is my-own-key-1234, really',
      n: 42,
      ok: true,
    });
    const [line] = lines;
    expect(line).toEqual({
      a: 'Incorrect API key provided: sk-[redacted]',
      b: '{"authorization":"Bearer [redacted]"}',
      c: 'token [redacted]',
      d: 'the key is [redacted], really',
      n: 42,
      ok: true,
    });
  });

  it('keeps what debugging needs: ids, request ids, codes, URLs', () => {
    for (const text of [
      '0b9c5a8e-4f5e-4a4b-9a57-3d2f0f6d8a11',
      'upstream 500 server_error/- (request req_5f0c1e2d3c4b5a69788796a5b4c3d2e1)',
      'TypeError: fetch failed (connect ECONNREFUSED 127.0.0.1:1)',
      'http://127.0.0.1:4010/v1/chat/completions',
      'an event longer than 1048576 characters',
    ]) {
      expect(scrubSecrets(text)).toBe(text);
    }
  });

  it('ignores configured keys too short to scrub by value', () => {
    expect(scrubSecrets('a test of the tests', ['test'])).toBe('a test of the tests');
  });
});
