/**
 * libCacheSim's oracleGeneral binary format: packed little-endian 24-byte records
 * `{u32 time; u64 obj_id; u32 obj_size; i64 next_access_vtime}`, no header.
 * next_access_vtime is the 1-based position of the object's next request, -1 (or
 * INT64_MAX) when there is none.
 */

import type { Writable } from 'node:stream';
import { TraceBuilder } from '../builder.js';
import { TraceFormatError, TraceWriteError } from '../errors.js';
import { NumericKeyInterner } from '../keys.js';
import { nextAccessIndex, type Trace } from '../model.js';
import { writeChunk } from '../output.js';
import type { ReadContext, TraceFormat } from './format.js';

export const RECORD_BYTES = 24;
const INT64_MAX_HI = 0x7fffffff;
const U32_MAX = 0xffffffff;
const TWO_32 = 2 ** 32;

/** Reads oracleGeneral records from a stream of byte chunks; a truncated last record is bad input. */
export async function readOracleGeneral(
  chunks: AsyncIterable<Uint8Array>,
  context: ReadContext,
): Promise<Trace> {
  const builder = TraceBuilder.numeric(1 << 20);
  const carry = new Uint8Array(RECORD_BYTES);
  let carried = 0;
  for await (const chunk of chunks) {
    let pos = 0;
    if (carried > 0) {
      const take = Math.min(RECORD_BYTES - carried, chunk.length);
      carry.set(chunk.subarray(0, take), carried);
      carried += take;
      pos = take;
      if (carried < RECORD_BYTES) continue;
      addRecord(builder, new DataView(carry.buffer), 0);
      carried = 0;
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const whole = pos + Math.floor((chunk.length - pos) / RECORD_BYTES) * RECORD_BYTES;
    for (; pos < whole; pos += RECORD_BYTES) addRecord(builder, view, pos);
    carried = chunk.length - whole;
    carry.set(chunk.subarray(whole), 0);
  }
  const { file, budget } = context;
  if (builder.length === 0 && carried === 0)
    throw new TraceFormatError({ file, offset: 0 }, 'empty file: no requests');
  if (carried > 0) {
    const at = builder.length * RECORD_BYTES;
    const reason = `truncated record: ${carried} of ${RECORD_BYTES} bytes at the end of the file`;
    budget.charge(new TraceFormatError({ file, offset: at }, reason));
  }
  return builder.finish();
}

function addRecord(b: TraceBuilder<NumericKeyInterner>, v: DataView, p: number): void {
  const obj = b.keys.internWords(v.getUint32(p + 8, true), v.getUint32(p + 4, true));
  const i = b.add(v.getUint32(p, true), obj, v.getUint32(p + 12, true));
  const nextLo = v.getUint32(p + 16, true);
  const nextHi = v.getInt32(p + 20, true);
  const none = nextHi < 0 || (nextHi === INT64_MAX_HI && nextLo === 0xffffffff);
  b.setNextAccess(i, none ? Number.POSITIVE_INFINITY : nextHi * TWO_32 + nextLo - 1);
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
