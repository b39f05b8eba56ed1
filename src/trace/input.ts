/**
 * Opening trace files: byte chunks with transparent decompression (detected by magic
 * bytes, not by file name), progress reporting, and a line splitter for text formats.
 */
import { open, stat } from 'node:fs/promises';
import { CompressedDataError, TraceFormatError } from './errors.js';
import type { ReadContext } from './formats/format.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Called after each chunk read from disk; counts compressed bytes for compressed files. */
export type ProgressListener = (bytesRead: number, totalBytes: number) => void;

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 13;
const BYTE_ORDER_MARK = 0xfeff;

export function detectCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  // a zstd skippable frame (magic 0x184D2A5?, little-endian) may come first
  if ((head[0] & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return 'zstd';
  return 'none';
}

/** The decompressed content of a file: its first bytes (for format sniffing) and all of it as chunks. */
export interface TraceInput {
  readonly compression: Compression;
  readonly head: Uint8Array;
  readonly chunks: AsyncIterable<Uint8Array>;
  /** size of the content in bytes when known before reading it (uncompressed files) */
  readonly contentBytes?: number;
  /**
   * For a reader that failed: decompresses what the reader left and throws the
   * CompressedDataError found there, if any, because bad records may be its symptom.
   */
  readonly checkRest: () => Promise<void>;
}

/** Bytes of decompressed content read ahead for format detection. */
export const HEAD_BYTES = 1 << 16;

/** Opens a file, decompressing gzip or zstd content; `head` holds at least `headBytes` unless the file is shorter. */
export async function openInput(
  file: string,
  onProgress?: ProgressListener,
  headBytes = HEAD_BYTES,
): Promise<TraceInput> {
  const fileBytes = (await stat(file)).size;
  const raw = await peek(diskChunks(file, fileBytes, onProgress)[Symbol.asyncIterator](), 4);
  const compression = detectCompression(raw.head);
  const content = decompress(raw.chunks, compression, file)[Symbol.asyncIterator]();
  const { head, chunks } = await peek(content, headBytes);
  const checkRest = async () => {
    if (compression === 'none') return;
    for (let next = await content.next(); !next.done; next = await content.next());
  };
  return {
    compression,
    head,
    chunks,
    contentBytes: compression === 'none' ? fileBytes : undefined,
    checkRest,
  };
}

/**
 * The file's bytes in chunks of CHUNK_BYTES, each in a buffer of its own (readers keep
 * them). Read through a file handle rather than a stream (streams cost a short run the
 * loading of Node's stream modules), one chunk ahead: the next read runs on libuv's thread
 * pool while the consumer decodes this one.
 */
async function* diskChunks(
  file: string,
  total: number,
  onProgress?: ProgressListener,
): AsyncGenerator<Uint8Array> {
  const handle = await open(file, 'r');
  const readAt = (position: number) => {
    // the size stat gave bounds the last chunk; a file that grew since reads on in full chunks
    const chunk = Buffer.allocUnsafe(
      total > position ? Math.min(CHUNK_BYTES, total - position) : CHUNK_BYTES,
    );
    const reading = handle.read(chunk, 0, chunk.length, position);
    // a consumer may leave before awaiting it; its failure then has no one to hear it
    reading.catch(() => {});
    return reading;
  };
  let ahead: ReturnType<typeof readAt> | undefined = readAt(0);
  try {
    let read = 0;
    for (;;) {
      const { bytesRead, buffer } = await ahead;
      ahead = undefined;
      if (bytesRead === 0) return;
      read += bytesRead;
      ahead = readAt(read);
      onProgress?.(read, total);
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    // a read still in flight ends before the handle closes
    if (ahead) await ahead.catch(() => {});
    await handle.close();
  }
}

function decompress(
  chunks: AsyncIterable<Uint8Array>,
  compression: Compression,
  file: string,
): AsyncIterable<Uint8Array> {
  switch (compression) {
    case 'gzip':
      return gunzipChunks(chunks, file);
    case 'zstd':
      return lazyZstdChunks(chunks, file);
    case 'none':
      return chunks;
  }
}

/** The zstd decoder and its native hash load only when a zstd input is met: most runs start without them. */
async function* lazyZstdChunks(chunks: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  const { zstdChunks } = await import('./zstd.js');
  yield* zstdChunks(chunks, file);
}

/**
 * zlib checks each member's CRC-32 and length. It tells no exact place of a failure, so the
 * error's offset is the compressed bytes handed to it by then: the damage is at or before it.
 */
async function* gunzipChunks(chunks: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  // loaded here, as the zstd decoder is: most runs read no gzip input
  const [{ pipeline, Readable }, { createGunzip }] = await Promise.all([
    import('node:stream'),
    import('node:zlib'),
  ]);
  let given = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      given += chunk.length;
      yield chunk;
    }
  }
  const gunzip = createGunzip();
  // pipeline destroys gunzip with the source's error, so the loop below sees it
  pipeline(Readable.from(counted()), gunzip, () => {});
  let produced = 0;
  try {
    for await (const chunk of gunzip) {
      produced += chunk.length;
      yield chunk;
    }
  } catch (err) {
    if (err instanceof TraceFormatError) throw err;
    const reason = `corrupt or truncated gzip data after ${produced} decompressed bytes: ${(err as Error).message}`;
    throw new CompressedDataError({ file, offset: given }, reason);
  }
}

/**
 * Reads from `source` until at least `bytes` are buffered; the returned chunks replay them
 * first. The chunks do not close `source` when their consumer stops early.
 */
async function peek(
  source: AsyncIterator<Uint8Array>,
  bytes: number,
): Promise<{ head: Uint8Array; chunks: AsyncIterable<Uint8Array> }> {
  const buffered: Uint8Array[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await source.next();
    if (next.done) break;
    buffered.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(buffered);
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* buffered;
    for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
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
 * Splits decompressed chunks into lines (LF or CRLF; blank lines and a UTF-8 byte order mark
 * at the start are ignored) and calls the handlers with 1-based line numbers. A
 * TraceFormatError from `row` is charged to the budget; errors from `header` are fatal. The time of every added request goes to the time order check.
 */
export async function forEachLine(
  chunks: AsyncIterable<Uint8Array>,
  { budget, order }: Pick<ReadContext, 'budget' | 'order'>,
  handlers: LineHandlers,
): Promise<void> {
  let lineNumber = 0;
  let sawHeader = handlers.header === undefined;
  const handle = (text: string) => {
    const line = lineNumber === 1 && text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
    if (line === '') return;
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
