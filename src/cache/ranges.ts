/**
 * Byte ranges and validators of HTTP requests (RFC 9110 §13 and §14): the `Range` header read
 * against a representation's length, `If-Range`, the other conditional headers, and the
 * layout of a multipart/byteranges body.
 */
import { randomBytes } from 'node:crypto';

/** Inclusive byte positions, as `Range` and `Content-Range` write them. */
export interface ByteRange {
  start: number;
  end: number;
}

export type RangeAnswer =
  /** no Range, a Range to ignore (another unit, bad syntax, too many parts), or an empty file */
  | { kind: 'full' }
  | { kind: 'partial'; ranges: ByteRange[] }
  /** every range starts at or past the end: 416 */
  | { kind: 'unsatisfiable' };

/** More parts than this and the Range is ignored (RFC 9110 §14.2 lets a server do so). */
export const MAX_RANGES = 64;

const FULL: RangeAnswer = { kind: 'full' };
const RANGE_SPEC = /^(\d*)-(\d*)$/;

/**
 * Reads a Range header against a representation of `size` bytes. Closed ranges are clamped
 * to the end, suffix ranges (`-N`) take the last N bytes, open ones (`N-`) run to the end;
 * ranges that start past the end are dropped, and when none is left the answer is 416.
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined || size === 0) return FULL;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return FULL;
  const specs = header
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length === 0 || specs.length > MAX_RANGES) return FULL;
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const match = RANGE_SPEC.exec(spec);
    if (!match || (match[1] === '' && match[2] === '')) return FULL;
    const [, first, last] = match;
    if (first === '') {
      const suffix = Number(last);
      if (suffix > 0) ranges.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const start = Number(first);
    const end = last === '' ? Number.POSITIVE_INFINITY : Number(last);
    if (!Number.isSafeInteger(start) || end < start) return FULL;
    if (start < size) ranges.push({ start, end: Math.min(end, size - 1) });
  }
  return ranges.length === 0 ? { kind: 'unsatisfiable' } : { kind: 'partial', ranges };
}

export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** What a representation is compared with: its strong ETag (quoted) and Last-Modified date. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

function isWeak(tag: string): boolean {
  return tag.startsWith('W/');
}

function opaque(tag: string): string {
  return isWeak(tag) ? tag.slice(2) : tag;
}

/** The entity tags of an If-Match / If-None-Match list (`*` stays `*`). */
function tagList(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function seconds(date: string | undefined): number {
  return date === undefined ? Number.NaN : Math.floor(Date.parse(date) / 1000);
}

/**
 * Whether a Range is honoured under If-Range: the ETag matches strongly, or the date equals
 * Last-Modified exactly. Otherwise the whole representation is sent (RFC 9110 §13.1.5).
 */
export function rangeApplies(ifRange: string | undefined, validators: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) {
    return (
      validators.etag !== undefined && !isWeak(value) && !isWeak(validators.etag) && value === validators.etag
    );
  }
  return validators.lastModified !== undefined && seconds(value) === seconds(validators.lastModified);
}

export type Precondition = 'proceed' | 'not-modified' | 'failed';

type HeaderValue = string | string[] | undefined;
export type ConditionalHeaders = Record<string, HeaderValue>;

function single(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since in the order of
 * RFC 9110 §13.2.2 for a GET or HEAD: `failed` is 412, `not-modified` 304.
 */
export function evaluatePreconditions(headers: ConditionalHeaders, validators: Validators): Precondition {
  const ifMatch = single(headers['if-match']);
  const { etag, lastModified } = validators;
  if (ifMatch !== undefined) {
    const tags = tagList(ifMatch);
    const matches =
      etag !== undefined && !isWeak(etag) && tags.some((t) => t === '*' || (!isWeak(t) && t === etag));
    if (!matches) return 'failed';
  } else {
    const since = seconds(single(headers['if-unmodified-since']));
    if (!Number.isNaN(since) && !(seconds(lastModified) <= since)) return 'failed';
  }
  const ifNoneMatch = single(headers['if-none-match']);
  if (ifNoneMatch !== undefined) {
    const tags = tagList(ifNoneMatch);
    const matches = tags.some((t) => t === '*' || (etag !== undefined && opaque(t) === opaque(etag)));
    return matches ? 'not-modified' : 'proceed';
  }
  const since = seconds(single(headers['if-modified-since']));
  if (!Number.isNaN(since) && seconds(lastModified) <= since) return 'not-modified';
  return 'proceed';
}

/** One part of a multipart/byteranges body: its header bytes, then the range's bytes. */
export interface MultipartPart {
  head: Buffer;
  range: ByteRange;
}

export interface MultipartLayout {
  contentType: string;
  parts: MultipartPart[];
  /** the closing delimiter */
  tail: Buffer;
  /** the body's length, for Content-Length */
  length: number;
}

/** Lays out a multipart/byteranges body (RFC 9110 §14.6) over `ranges` of a `size`-byte file. */
export function multipartLayout(ranges: ByteRange[], size: number, partType: string): MultipartLayout {
  const boundary = randomBytes(12).toString('hex');
  const parts = ranges.map((range, i) => ({
    head: Buffer.from(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\ncontent-type: ${partType}\r\ncontent-range: ${contentRange(range, size)}\r\n\r\n`,
    ),
    range,
  }));
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  let length = tail.length;
  for (const part of parts) length += part.head.length + part.range.end - part.range.start + 1;
  return { contentType: `multipart/byteranges; boundary=${boundary}`, parts, tail, length };
}
