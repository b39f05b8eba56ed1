/**
 * Opening trace files: byte chunks with transparent decompression (detected by magic
 * bytes, not by file name), progress reporting, and a line splitter for text formats.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { TraceFormatError } from './errors.js';
import type { ReadContext } from './formats/format.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Called after each chunk read from disk; counts compressed bytes for compressed files. */
export type ProgressListener = (bytesRead: number, totalBytes: number) => void;

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 13;

export function detectCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** The decompressed content of a file: its first bytes (for format sniffing) and all of it as chunks. */
export interface TraceInput {
  readonly compression: Compression;
  readonly head: Uint8Array;
  readonly chunks: AsyncIterable<Uint8Array>;
  /** size of the content in bytes when known before reading it (uncompressed files) */
  readonly contentBytes?: number;
}

/** Opens a file, decompressing gzip or zstd content; `head` holds at least `headBytes` unless the file is shorter. */
export async function openInput(
  file: string,
  onProgress?: ProgressListener,
  headBytes = 1 << 16,
): Promise<TraceInput> {
  const fileBytes = (await stat(file)).size;
  const raw = await peek(diskChunks(file, fileBytes, onProgress), 4);
  const compression = detectCompression(raw.head);
  const decompressed = decompress(raw.chunks, compression, file);
  const { head, chunks } = await peek(decompressed, headBytes);
  return { compression, head, chunks, contentBytes: compression === 'none' ? fileBytes : undefined };
}

async function* diskChunks(
  file: string,
  total: number,
  onProgress?: ProgressListener,
): AsyncGenerator<Uint8Array> {
  let read = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
    read += chunk.length;
    onProgress?.(read, total);
    yield chunk as Buffer;
  }
}

function decompress(
  chunks: AsyncIterable<Uint8Array>,
  compression: Compression,
  file: string,
): AsyncIterable<Uint8Array> {
  switch (compression) {
    case 'gzip':
      return reportCorruption(gunzipChunks(chunks), compression, file);
    case 'zstd':
      return reportCorruption(zstdChunks(chunks), compression, file);
    case 'none':
      return chunks;
  }
}

function gunzipChunks(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const gunzip = createGunzip();
  // pipeline destroys gunzip with the source's error, so the consumer sees it
  pipeline(Readable.from(chunks), gunzip, () => {});
  return gunzip;
}

async function* zstdChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const stream = new Decompress((data) => {
    out.push(data);
  });
  for await (const chunk of chunks) {
    stream.push(chunk);
    yield* out.splice(0);
  }
  stream.push(new Uint8Array(0), true);
  yield* out.splice(0);
}

async function* reportCorruption(
  chunks: AsyncIterable<Uint8Array>,
  compression: Compression,
  file: string,
): AsyncGenerator<Uint8Array> {
  let offset = 0;
  try {
    for await (const chunk of chunks) {
      yield chunk;
      offset += chunk.length;
    }
  } catch (err) {
    if (err instanceof TraceFormatError) throw err;
    const reason = `corrupt or truncated ${compression} data after ${offset} decompressed bytes: ${(err as Error).message}`;
    throw new TraceFormatError({ file, offset }, reason);
  }
}

/** Reads chunks until at least `bytes` are buffered; the returned chunks replay them first. */
async function peek(
  source: AsyncIterable<Uint8Array>,
  bytes: number,
): Promise<{ head: Uint8Array; chunks: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) break;
    buffered.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(buffered);
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* buffered;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head, chunks: replay() };
}

/**
 * Line handlers of a text reader: `header` sees the first non-blank line and returns whether
 * it consumed it; `row` returns the time of the request it added, or undefined when it added none.
 */
export interface LineHandlers {
  header?: (line: string, lineNumber: number) => boolean;
  row: (line: string, lineNumber: number) => number | undefined;
}

/**
 * Splits decompressed chunks into lines (LF or CRLF; blank lines are ignored) and calls the
 * handlers with 1-based line numbers. A TraceFormatError from `row` is charged to the budget;
 * errors from `header` are fatal. The time of every added request goes to the time order check.
 */
export async function forEachLine(
  chunks: AsyncIterable<Uint8Array>,
  { budget, order }: Pick<ReadContext, 'budget' | 'order'>,
  handlers: LineHandlers,
): Promise<void> {
  let lineNumber = 0;
  let sawHeader = handlers.header === undefined;
  const handle = (line: string) => {
    if (!sawHeader) {
      sawHeader = true;
      if (handlers.header?.(line, lineNumber)) return;
    }
    let time: number | undefined;
    try {
      time = handlers.row(line, lineNumber);
    } catch (err) {
      budget.charge(err);
      return;
    }
    if (time !== undefined) order.note(time, 'line', lineNumber);
  };
  const splitText = (text: string) => {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lineNumber++;
      const end = nl > start && text.charCodeAt(nl - 1) === CARRIAGE_RETURN ? nl - 1 : nl;
      if (end > start) handle(text.slice(start, end));
      start = nl + 1;
    }
    return start;
  };
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline === -1) {
      carry = Buffer.concat([carry, chunk]);
      continue;
    }
    const complete = Buffer.concat([carry, chunk.subarray(0, lastNewline + 1)]);
    splitText(complete.toString('utf8'));
    carry = Buffer.from(chunk.subarray(lastNewline + 1));
  }
  if (carry.length > 0) splitText(`${carry.toString('utf8')}\n`);
}
