import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  evaluatePreconditions,
  MAX_RANGES,
  multipartLayout,
  parseRange,
  rangeApplies,
} from '../../src/cache/ranges.js';

const partial = (...ranges: [number, number][]) => ({
  kind: 'partial',
  ranges: ranges.map(([start, end]) => ({ start, end })),
});

test('closed, open-ended and suffix ranges are read against the length and clamped to the end', () => {
  assert.deepEqual(parseRange('bytes=0-99', 1000), partial([0, 99]));
  assert.deepEqual(parseRange('bytes=990-2000', 1000), partial([990, 999]));
  assert.deepEqual(parseRange('bytes=500-', 1000), partial([500, 999]));
  assert.deepEqual(parseRange('bytes=-100', 1000), partial([900, 999]));
  assert.deepEqual(parseRange('bytes=-5000', 1000), partial([0, 999]));
  assert.deepEqual(parseRange('Bytes = 1-1', 1000), partial([1, 1]));
});

test('several ranges keep their order; the ones past the end are dropped', () => {
  assert.deepEqual(parseRange('bytes=10-19, 0-4,-1, 5000-6000', 1000), partial([10, 19], [0, 4], [999, 999]));
});

test('ranges that all start at or past the end, or a zero suffix, are unsatisfiable', () => {
  assert.deepEqual(parseRange('bytes=1000-', 1000), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=1000-1000,2000-3000', 1000), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=-0', 1000), { kind: 'unsatisfiable' });
});

test('a Range that is absent, of another unit, malformed or too long is ignored: the whole file', () => {
  for (const header of [
    undefined,
    'items=0-1',
    'bytes=5-1',
    'bytes=a-b',
    'bytes=-',
    'bytes=',
    'bytes 0-1',
    'bytes=0-1,x',
    'bytes=99999999999999999999-',
    `bytes=${Array.from({ length: MAX_RANGES + 1 }, (_, i) => `${i}-${i}`).join(',')}`,
  ]) {
    assert.deepEqual(parseRange(header, 1000), { kind: 'full' }, String(header));
  }
  assert.deepEqual(parseRange('bytes=0-0', 0), { kind: 'full' }, 'an empty file has no byte to range over');
});

test('If-Range honours the Range only for a strong ETag match or the exact Last-Modified date', () => {
  const validators = { etag: '"abc"', lastModified: 'Tue, 01 Jan 2019 00:00:00 GMT' };
  assert.equal(rangeApplies(undefined, validators), true);
  assert.equal(rangeApplies('"abc"', validators), true);
  assert.equal(rangeApplies('"abd"', validators), false);
  assert.equal(rangeApplies('W/"abc"', validators), false);
  assert.equal(rangeApplies('Tue, 01 Jan 2019 00:00:00 GMT', validators), true);
  assert.equal(rangeApplies('Tue, 01 Jan 2019 00:00:01 GMT', validators), false);
  assert.equal(rangeApplies('"abc"', { lastModified: validators.lastModified }), false);
});

test('preconditions follow RFC 9110 §13.2.2: If-Match before If-None-Match, dates only without tags', () => {
  const v = { etag: '"abc"', lastModified: 'Tue, 01 Jan 2019 00:00:00 GMT' };
  const later = 'Wed, 02 Jan 2019 00:00:00 GMT';
  const earlier = 'Mon, 31 Dec 2018 00:00:00 GMT';
  assert.equal(evaluatePreconditions({}, v), 'proceed');
  assert.equal(evaluatePreconditions({ 'if-none-match': '"x", W/"abc"' }, v), 'not-modified');
  assert.equal(evaluatePreconditions({ 'if-none-match': '*' }, v), 'not-modified');
  assert.equal(evaluatePreconditions({ 'if-none-match': '"x"', 'if-modified-since': later }, v), 'proceed');
  assert.equal(evaluatePreconditions({ 'if-modified-since': later }, v), 'not-modified');
  assert.equal(evaluatePreconditions({ 'if-modified-since': earlier }, v), 'proceed');
  assert.equal(evaluatePreconditions({ 'if-modified-since': 'not a date' }, v), 'proceed');
  assert.equal(evaluatePreconditions({ 'if-match': '"abc"' }, v), 'proceed');
  assert.equal(evaluatePreconditions({ 'if-match': 'W/"abc"' }, v), 'failed');
  assert.equal(evaluatePreconditions({ 'if-match': '"x"', 'if-none-match': '"abc"' }, v), 'failed');
  assert.equal(evaluatePreconditions({ 'if-unmodified-since': earlier }, v), 'failed');
  assert.equal(evaluatePreconditions({ 'if-unmodified-since': later }, v), 'proceed');
});

test('a multipart/byteranges layout states its exact length and each part its Content-Range', () => {
  const layout = multipartLayout(
    [
      { start: 0, end: 9 },
      { start: 90, end: 99 },
    ],
    100,
    'application/octet-stream',
  );
  const boundary = /boundary=(\w+)$/.exec(layout.contentType)?.[1];
  assert.ok(boundary);
  const body = Buffer.concat([
    layout.parts[0].head,
    Buffer.alloc(10, 'a'),
    layout.parts[1].head,
    Buffer.alloc(10, 'b'),
    layout.tail,
  ]).toString();
  assert.equal(body.length, layout.length);
  assert.equal(
    body,
    `--${boundary}\r\ncontent-type: application/octet-stream\r\ncontent-range: bytes 0-9/100\r\n\r\naaaaaaaaaa` +
      `\r\n--${boundary}\r\ncontent-type: application/octet-stream\r\ncontent-range: bytes 90-99/100\r\n\r\nbbbbbbbbbb` +
      `\r\n--${boundary}--\r\n`,
  );
});
