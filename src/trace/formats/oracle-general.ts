/**
 * libCacheSim's oracleGeneral binary format: packed little-endian 24-byte records
 * `{u32 time; u64 obj_id; u32 obj_size; i64 next_access_vtime}`, no header.
 * next_access_vtime is the 1-based position of the object's next request, -1 (or
 * INT64_MAX) when there is none, as libCacheSim's traceConv writes it.
 */

import { endianness } from 'node:os';
import type { Writable } from 'node:stream';
import { grown } from '../../common/typed-arrays.js';
import { TraceBuilder } from '../builder.js';
import { TraceFormatError, TraceWriteError } from '../errors.js';
import { NumericKeyInterner } from '../keys.js';
import { NO_NEXT_ACCESS, nextRequestIndex, type Trace } from '../model.js';
import type { TimeOrder } from '../order.js';
import { writeChunk } from '../output.js';
import { ReadAgain, type ReadContext, type TraceFormat } from './format.js';

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
 * (INT64_MAX also) when there is none. The links also let an object's later requests learn
 * its dense index from the announcing request, so only first requests go through the key table.
 *
 * An announcement is noted in the announced request's slot of the builder (TraceBuilder.note),
 * memory the trace needs anyway: object index + 1 and the key's low word; the high word is
 * compared through the key table, once a key with one was seen. The first reading trusts the
 * links while they hold (libCacheSim's own files): a request reads only its own slot's note
 * (sequential) and writes its link's (scattered, which the CPU need not wait for), no
 * per-object state is read and no next access is stored, as every link met by its request
 * makes them the ones recomputed from the requests. A request no link announced is taken as
 * its object's first, without a key lookup: the keys of first requests are checked to be
 * distinct once, at the end, by sorting them. A request that does not fit (a key other
 * than announced, an object met again unannounced, a link backwards) or links left unmet at the
 * end (two links to one position among them) make the file be read again (ReadAgain), checking
 * per object from the first record: there a wrong link is an error that names the value found
 * and the one expected, at the object's next request or at the end of the file.
 */
class OracleDecoder {
  readonly builder: TraceBuilder<NumericKeyInterner>;
  /** object index + 1 announced for requests beyond the builder's slots, which grow by doubling only: a link is not trusted to size memory */
  private readonly farLinks = new Map<number, number>();
  /** links announced and not yet met by their request */
  private pending = 0;
  /** whether a key with a nonzero high word was met (until then every announced key has none) */
  private highKeys = false;
  /** once checking per object: 1 + the request each object's latest request links to (Infinity: none; 0: not requested yet) */
  private linkedNext: Float64Array | undefined;

  constructor(
    expectedRequests: number,
    private readonly file: string,
    private readonly order: TimeOrder,
    /** ignore the file's next-access values (the trace's are recomputed from its requests) */
    private readonly recomputeNext: boolean,
    /** check per object from the first record: the second reading, after the first met a link it could not trust */
    checkFromStart: boolean,
  ) {
    // a first guess of one object per two requests, at most 2^18, sizes the key list (and the
    // key table of a second reading): a small trace never regrows it (which runs before the code
    // is optimised), a large one doubles it a few times rather than hold tens of MB it may not use
    const expectedObjects = Math.min(expectedRequests >>> 1, 1 << 18);
    this.builder = new TraceBuilder(new NumericKeyInterner(expectedObjects), Math.max(16, expectedRequests));
    if (checkFromStart && !recomputeNext) this.linkedNext = new Float64Array(Math.max(16, expectedObjects));
  }

  decode(words: Uint32Array, records: number): void {
    if (this.recomputeNext) this.decodeUnlinked(words, records);
    else if (this.linkedNext) this.decodeChecking(words, records);
    else if (this.decodeTrusting(words, records) < records) {
      throw new ReadAgain(`request ${this.builder.length + 1} does not fit the next-access links before it`);
    }
  }

  private decodeUnlinked(words: Uint32Array, records: number): void {
    const b = this.builder;
    for (let r = 0, w = 0; r < records; r++, w += WORDS_PER_RECORD) {
      b.add(words[w], b.keys.internWords(words[w + 2], words[w + 1]), words[w + 3]);
      this.order.note(words[w], 'offset', (b.length - 1) * RECORD_BYTES);
    }
  }

  /** Decodes records while every link fits; returns the number decoded (the first that does not fit is left). */
  private decodeTrusting(words: Uint32Array, records: number): number {
    const b = this.builder;
    const keys = b.keys;
    for (let r = 0, w = 0; r < records; r++, w += WORDS_PER_RECORD) {
      const lo = words[w + 1];
      const hi = words[w + 2];
      const i = b.length;
      let obj: number;
      const near = i < b.slots && b.noted(i) !== 0;
      const far = !near && this.farLinks.size > 0 && this.farLinks.has(i);
      if (near) {
        obj = b.noted(i) - 1;
        if (b.notedWord(i) !== lo || ((hi !== 0 || this.highKeys) && !keys.hasKey(obj, hi, lo))) return r;
      } else if (far) {
        obj = (this.farLinks.get(i) as number) - 1;
        if (!keys.hasKey(obj, hi, lo)) return r;
      } else {
        // taken as the object's first request: a repeated key is looked for once, at the end
        obj = keys.appendUnchecked(hi, lo);
        if (hi !== 0) this.highKeys = true;
      }
      const next = nextAccessField(words, w);
      // a second link to one position is not looked for here (a random read per request): it
      // overwrites the first and leaves `pending` above zero, which reads the file again
      if (next !== NO_NEXT_ACCESS && next <= i) return r;
      if (far) this.farLinks.delete(i);
      if (near || far) this.pending--;
      b.add(words[w], obj, words[w + 3]);
      this.order.note(words[w], 'offset', i * RECORD_BYTES);
      if (next !== NO_NEXT_ACCESS) this.announce(next, obj, lo);
    }
    return records;
  }

  /** Decodes records checking each object's link when its next request arrives. */
  private decodeChecking(words: Uint32Array, records: number): void {
    const b = this.builder;
    const keys = b.keys;
    for (let r = 0, w = 0; r < records; r++, w += WORDS_PER_RECORD) {
      const lo = words[w + 1];
      const hi = words[w + 2];
      const i = b.length;
      const announced = this.announced(i);
      const obj = announced >= 0 && keys.hasKey(announced, hi, lo) ? announced : keys.internWords(hi, lo);
      b.add(words[w], obj, words[w + 3]);
      this.order.note(words[w], 'offset', i * RECORD_BYTES);
      if (obj >= (this.linkedNext as Float64Array).length) this.growLinkedNext(obj);
      const linkedNext = this.linkedNext as Float64Array;
      const promised = linkedNext[obj];
      if (promised !== 0 && promised !== i + 1) throw this.wrongLink(this.previousRequest(obj, i), i);
      const next = nextAccessField(words, w);
      b.setNextAccess(i, next);
      linkedNext[obj] = next + 1;
      if (next > i && !this.isAnnounced(next)) this.announce(next, obj, lo);
    }
  }

  private growLinkedNext(obj: number): void {
    const old = this.linkedNext as Float64Array;
    this.linkedNext = grown(old, Math.max(obj + 1, old.length * 2));
  }

  /**
   * Checks that the last request of every object links nowhere; one link to a truncated last
   * record that was skipped is taken as none, as that request is not in the trace.
   */
  finish(skippedLast: boolean): Trace {
    const b = this.builder;
    if (this.recomputeNext) return b.finish();
    if (!this.linkedNext) {
      if (this.pending > 0)
        throw new ReadAgain(`${this.pending} next-access links point to no request of their object`);
      const repeated = b.keys.firstRepeatedKey();
      if (repeated >= 0)
        throw new ReadAgain(`object ${b.keys.key(repeated)} is requested again with no link to it`);
      // every link met by its request: the next accesses are the recomputed ones, not stored
      return b.finish();
    }
    const linkedNext = this.linkedNext;
    const wrong: number[] = [];
    let linkToSkipped = false;
    for (let obj = 0; obj < b.keys.count; obj++) {
      const promised = linkedNext[obj];
      if (promised === NO_NEXT_ACCESS) continue;
      if (skippedLast && promised === b.length + 1 && !linkToSkipped) linkToSkipped = true;
      else wrong.push(obj);
    }
    if (wrong.length > 0) {
      const latest = new Float64Array(b.keys.count);
      for (let i = 0; i < b.length; i++) latest[b.objectOf(i)] = i;
      let first = b.length;
      for (const obj of wrong) first = Math.min(first, latest[obj]);
      throw this.wrongLink(first, NO_NEXT_ACCESS);
    }
    // the links checked out, so they are the next accesses recomputed from the requests
    return { ...b.finish(), nextAccess: undefined };
  }

  /** The latest request of `obj` before request `before` (a scan: only for error messages). */
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

  private announce(request: number, obj: number, lo: number): void {
    this.pending++;
    const b = this.builder;
    const slots = b.slots;
    if (request >= slots && request < slots * 2) b.reserve(slots * 2);
    if (request >= b.slots) this.farLinks.set(request, obj + 1);
    else b.note(request, obj + 1, lo);
  }

  /** Whether an earlier link announced request `request`, which is not decoded yet. */
  private isAnnounced(request: number): boolean {
    return request < this.builder.slots ? this.builder.noted(request) !== 0 : this.farLinks.has(request);
  }

  /** The object an earlier link announced for request `i`, the next to decode, or -1. */
  private announced(i: number): number {
    const near = i < this.builder.slots ? this.builder.noted(i) - 1 : -1;
    if (near >= 0 || this.farLinks.size === 0) return near;
    const far = this.farLinks.get(i);
    if (far === undefined) return -1;
    this.farLinks.delete(i);
    return far - 1;
  }
}

/** A record's next_access_vtime as a 0-based request index, NO_NEXT_ACCESS for none. */
function nextAccessField(words: Uint32Array, w: number): number {
  const nextLo = words[w + 4];
  const nextHi = words[w + 5] | 0;
  const none = (nextHi === -1 && nextLo === U32_MAX) || (nextHi === INT64_MAX_HI && nextLo === U32_MAX);
  return none ? NO_NEXT_ACCESS : nextHi * TWO_32 + nextLo - 1;
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
  const decoder = new OracleDecoder(
    expected,
    file,
    order,
    context.recomputeNext === true,
    context.again === true,
  );
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
  const next = nextRequestIndex(trace);
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

function encodeRecord(trace: Trace, next: Int32Array, i: number, buf: Buffer, p: number): void {
  const obj = trace.obj[i];
  const [hi, lo] = trace.keys instanceof NumericKeyInterner ? trace.keys.words(obj) : [0, obj];
  buf.writeUInt32LE(u32(Math.round(trace.time[i]), i, 'time', 'shift times or write another format'), p);
  buf.writeUInt32LE(lo, p + 4);
  buf.writeUInt32LE(hi, p + 8);
  const sizeHint = 'write another format, or generate with --max-file-size 4GB';
  buf.writeUInt32LE(u32(trace.size[i], i, 'size', sizeHint), p + 12);
  const vtime = next[i] >= 0 ? next[i] + 1 : -1;
  buf.writeInt32LE(vtime < 0 ? -1 : (vtime % TWO_32) | 0, p + 16);
  buf.writeInt32LE(vtime < 0 ? -1 : Math.floor(vtime / TWO_32), p + 20);
}

export const oracleGeneral: TraceFormat = {
  description:
    "libCacheSim's binary oracleGeneral: 24-byte records time, u64 id, size, next access (.bin, .oracleGeneral)",
  read: readOracleGeneral,
  write: writeOracleGeneral,
};
