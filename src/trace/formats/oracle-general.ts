/**
 * libCacheSim's oracleGeneral binary format: packed little-endian 24-byte records
 * `{u32 time; u64 obj_id; u32 obj_size; i64 next_access_vtime}`, no header.
 * next_access_vtime is the 1-based position of the object's next request, -1 (or
 * INT64_MAX) when there is none, as libCacheSim's traceConv writes it.
 */

import { endianness } from 'node:os';
import type { Writable } from 'node:stream';
import { TraceBuilder } from '../builder.js';
import { TraceFormatError, TraceWriteError } from '../errors.js';
import { NumericKeyInterner } from '../keys.js';
import { NO_NEXT_ACCESS, nextAccessIndex, type Trace } from '../model.js';
import type { TimeOrder } from '../order.js';
import { writeChunk } from '../output.js';
import type { ReadContext, TraceFormat } from './format.js';

export const RECORD_BYTES = 24;
const INT64_MAX_HI = 0x7fffffff;
const U32_MAX = 0xffffffff;
const TWO_32 = 2 ** 32;

/** Records decoded per batch: chunks are copied into an aligned buffer to read whole words. */
const BATCH_RECORDS = 1 << 16;
const WORDS_PER_RECORD = RECORD_BYTES / 4;

if (endianness() !== 'LE') throw new Error('the oracleGeneral reader needs a little-endian machine');

/** Byte offset of next_access_vtime inside a record. */
const NEXT_ACCESS_FIELD_OFFSET = 16;
const NEXT_ACCESS_FIELD = 'next_access_vtime';

/**
 * Decodes records into a TraceBuilder and checks the next-access links: each request's
 * next_access_vtime must be the 1-based position of the next request of its object, or -1
 * (INT64_MAX also) when there is none. A link is checked when the object's next request
 * arrives (or at the end of the file), so a wrong one is an error that names the value
 * found and the one expected. The links also let an object's later requests learn its
 * dense index from the announcing request, so only first requests go through the key table.
 */
class OracleDecoder {
  readonly builder: TraceBuilder<NumericKeyInterner>;
  /** object index + 1 announced for a request by an earlier request's next-access link */
  private linked: Int32Array;
  /** the same for requests far beyond `linked`, which grows by doubling only: a link is not trusted to size memory */
  private readonly farLinked = new Map<number, number>();
  /** per object, 1 + the request its latest request links to (Infinity: none; 0: not requested yet) */
  private linkedNext: Float64Array;

  constructor(
    expectedRequests: number,
    private readonly file: string,
    private readonly order: TimeOrder,
    /** ignore the file's next-access values (the trace's are recomputed from its requests) */
    private readonly recomputeNext: boolean,
  ) {
    // objects are usually far fewer than requests; a table that starts too small rehashes often
    const expectedObjects = Math.min(expectedRequests >>> 1, 1 << 21);
    this.builder = new TraceBuilder(new NumericKeyInterner(expectedObjects), Math.max(16, expectedRequests));
    this.linked = new Int32Array(recomputeNext ? 0 : Math.max(16, expectedRequests));
    this.linkedNext = new Float64Array(recomputeNext ? 0 : Math.max(16, expectedObjects));
  }

  decode(words: Uint32Array, records: number): void {
    const b = this.builder;
    const keys = b.keys;
    for (let r = 0, w = 0; r < records; r++, w += WORDS_PER_RECORD) {
      const lo = words[w + 1];
      const hi = words[w + 2];
      const i = b.length;
      if (this.recomputeNext) {
        b.add(words[w], keys.internWords(hi, lo), words[w + 3]);
        this.order.note(words[w], 'offset', i * RECORD_BYTES);
        continue;
      }
      const announced = this.announced(i);
      const obj = announced >= 0 && keys.hasKey(announced, hi, lo) ? announced : keys.internWords(hi, lo);
      b.add(words[w], obj, words[w + 3]);
      this.order.note(words[w], 'offset', i * RECORD_BYTES);
      if (obj >= this.linkedNext.length) this.growLinkedNext(obj);
      const promised = this.linkedNext[obj];
      if (promised !== 0 && promised !== i + 1) throw this.wrongLink(this.previousRequest(obj, i), i);
      const nextLo = words[w + 4];
      const nextHi = words[w + 5] | 0;
      const none = (nextHi === -1 && nextLo === U32_MAX) || (nextHi === INT64_MAX_HI && nextLo === U32_MAX);
      const next = none ? NO_NEXT_ACCESS : nextHi * TWO_32 + nextLo - 1;
      b.setNextAccess(i, next);
      this.linkedNext[obj] = next + 1;
      if (next > i) this.announce(next, obj);
    }
  }

  /**
   * Checks that the last request of every object links nowhere; a link to a truncated last
   * record that was skipped becomes none, as that request is not in the trace.
   */
  finish(skippedLast: boolean): Trace {
    const b = this.builder;
    if (this.recomputeNext) return b.finish();
    const wrong: number[] = [];
    let linksToSkipped = -1;
    for (let obj = 0; obj < b.keys.count; obj++) {
      const promised = this.linkedNext[obj];
      if (promised === NO_NEXT_ACCESS) continue;
      if (skippedLast && promised === b.length + 1 && linksToSkipped === -1) linksToSkipped = obj;
      else wrong.push(obj);
    }
    if (linksToSkipped !== -1)
      b.setNextAccess(this.previousRequest(linksToSkipped, b.length), NO_NEXT_ACCESS);
    if (wrong.length > 0) {
      const latest = new Float64Array(b.keys.count);
      for (let i = 0; i < b.length; i++) latest[b.objectOf(i)] = i;
      let first = b.length;
      for (const obj of wrong) first = Math.min(first, latest[obj]);
      throw this.wrongLink(first, NO_NEXT_ACCESS);
    }
    return b.finish();
  }

  private growLinkedNext(obj: number): void {
    const grown = new Float64Array(Math.max(obj + 1, this.linkedNext.length * 2));
    grown.set(this.linkedNext);
    this.linkedNext = grown;
  }

  /** The latest request of `obj` before request `before` (a scan: only for error messages and a cut file). */
  private previousRequest(obj: number, before: number): number {
    let request = before - 1;
    while (this.builder.objectOf(request) !== obj) request--;
    return request;
  }

  /** Request `request` links to the wrong request; `expected` is the next request of its object. */
  private wrongLink(request: number, expected: number): TraceFormatError {
    const b = this.builder;
    const found = b.nextAccessOf(request);
    const given = found === NO_NEXT_ACCESS ? '-1 (none)' : String(found + 1);
    // a file cut short keeps links past its end (its length is known when no request is expected)
    const pastEnd = expected === NO_NEXT_ACCESS && found !== NO_NEXT_ACCESS && found >= b.length;
    const past = pastEnd ? `, past the last request (${b.length})` : '';
    const key = b.keys.key(b.objectOf(request));
    const truth =
      expected === NO_NEXT_ACCESS
        ? `object ${key} is not requested again, so -1 (none) is expected`
        : `the next request of object ${key} is request ${expected + 1}`;
    return new TraceFormatError(
      {
        file: this.file,
        offset: request * RECORD_BYTES + NEXT_ACCESS_FIELD_OFFSET,
        field: NEXT_ACCESS_FIELD,
      },
      `request ${request + 1} gives its next access as ${given}${past}, but ${truth} ` +
        "(requests are numbered from 1; --recompute-next ignores the file's values)",
    );
  }

  private announce(request: number, obj: number): void {
    if (request >= this.linked.length && request < this.linked.length * 2) {
      const grown = new Int32Array(this.linked.length * 2);
      grown.set(this.linked);
      this.linked = grown;
    }
    if (request < this.linked.length) this.linked[request] = obj + 1;
    else this.farLinked.set(request, obj + 1);
  }

  /** The object an earlier link announced for request `i`, or -1. */
  private announced(i: number): number {
    const near = i < this.linked.length ? this.linked[i] - 1 : -1;
    if (near >= 0 || this.farLinked.size === 0) return near;
    const far = this.farLinked.get(i);
    if (far === undefined) return -1;
    this.farLinked.delete(i);
    return far - 1;
  }
}

/**
 * Reads oracleGeneral records from a stream of byte chunks. A truncated last record is bad
 * input; a wrong next-access link is always an error (skipping a record would move every later one).
 */
export async function readOracleGeneral(
  chunks: AsyncIterable<Uint8Array>,
  context: ReadContext,
): Promise<Trace> {
  const expected =
    context.contentBytes === undefined ? 1 << 20 : Math.ceil(context.contentBytes / RECORD_BYTES);
  const { file, budget, order } = context;
  const decoder = new OracleDecoder(expected, file, order, context.recomputeNext === true);
  const batch = new Uint8Array(BATCH_RECORDS * RECORD_BYTES);
  const words = new Uint32Array(batch.buffer);
  let filled = 0;
  for await (const chunk of chunks) {
    for (let pos = 0; pos < chunk.length; ) {
      const take = Math.min(batch.length - filled, chunk.length - pos);
      batch.set(chunk.subarray(pos, pos + take), filled);
      filled += take;
      pos += take;
      if (filled === batch.length) {
        decoder.decode(words, BATCH_RECORDS);
        filled = 0;
      }
    }
  }
  const whole = Math.floor(filled / RECORD_BYTES);
  decoder.decode(words, whole);
  const carried = filled - whole * RECORD_BYTES;
  if (carried > 0) {
    const at = decoder.builder.length * RECORD_BYTES;
    const reason = `truncated record: ${carried} of ${RECORD_BYTES} bytes at the end of the file`;
    budget.charge(new TraceFormatError({ file, offset: at }, reason));
  }
  return decoder.finish(carried > 0);
}

/** Writes a trace as oracleGeneral; text keys are written as their dense index. */
export async function writeOracleGeneral(trace: Trace, out: Writable): Promise<void> {
  const next = nextAccessIndex(trace);
  const perChunk = 1 << 16;
  const buf = Buffer.allocUnsafe(perChunk * RECORD_BYTES);
  for (let start = 0; start < trace.length; start += perChunk) {
    const end = Math.min(trace.length, start + perChunk);
    for (let i = start; i < end; i++) encodeRecord(trace, next, i, buf, (i - start) * RECORD_BYTES);
    await writeChunk(out, Buffer.from(buf.subarray(0, (end - start) * RECORD_BYTES)));
  }
}

/** Checks that a value fits a u32 field; times are rounded to whole seconds first. */
function u32(value: number, i: number, field: string, hint: string): number {
  if (value >= 0 && value <= U32_MAX) return value;
  throw new TraceWriteError(
    'oracle-general',
    i,
    field,
    `${value} does not fit the 32-bit field (0..${U32_MAX}); ${hint}`,
  );
}

function encodeRecord(trace: Trace, next: Float64Array, i: number, buf: Buffer, p: number): void {
  const obj = trace.obj[i];
  const [hi, lo] = trace.keys instanceof NumericKeyInterner ? trace.keys.words(obj) : [0, obj];
  buf.writeUInt32LE(u32(Math.round(trace.time[i]), i, 'time', 'shift times or write another format'), p);
  buf.writeUInt32LE(lo, p + 4);
  buf.writeUInt32LE(hi, p + 8);
  const sizeHint = 'write another format, or generate with --max-file-size 4GB';
  buf.writeUInt32LE(u32(trace.size[i], i, 'size', sizeHint), p + 12);
  const vtime = Number.isFinite(next[i]) ? next[i] + 1 : -1;
  buf.writeInt32LE(vtime < 0 ? -1 : (vtime % TWO_32) | 0, p + 16);
  buf.writeInt32LE(vtime < 0 ? -1 : Math.floor(vtime / TWO_32), p + 20);
}

export const oracleGeneral: TraceFormat = {
  description:
    "libCacheSim's binary oracleGeneral: 24-byte records time, u64 id, size, next access (.bin, .oracleGeneral)",
  read: readOracleGeneral,
  write: writeOracleGeneral,
};
