/**
 * zstd decompression with the checks fzstd leaves out (RFC 8878): each frame's content
 * checksum (the low 32 bits of XXH64 of the frame's decompressed content, stored after its
 * last block when the frame header's Content_Checksum_flag is set) and its declared content
 * size are verified, and data that ends inside a frame is truncated. The frame and block
 * headers are walked here, so that each frame gets its own fzstd decoder and hash, and a
 * corrupt stream is reported at the byte of the frame, block or checksum at fault.
 */

import { Xxh64 } from '@node-rs/xxhash';
import { Decompress } from 'fzstd';
import { CompressedDataError } from './errors.js';

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** skippable frames use the 16 magic numbers 0x184D2A50..0x184D2A5F */
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const MAGIC_BYTES = 4;
const BLOCK_HEADER_BYTES = 3;
const CHECKSUM_BYTES = 4;
const SKIPPABLE_SIZE_BYTES = 4;
const CHECKSUM_FLAG = 0x04;
const RLE_BLOCK = 1;
const RESERVED_BLOCK = 3;
const DICTIONARY_ID_BYTES = [0, 1, 2, 4];
/** the largest fixed-size field read here: the frame header after its descriptor byte */
const LONGEST_FIELD = 14;

/** The part of the stream the next byte belongs to. */
type Part =
  | 'magic'
  | 'frameDescriptor'
  | 'frameHeader'
  | 'blockHeader'
  | 'blockBody'
  | 'checksum'
  | 'skippableSize'
  | 'skippableBody';

interface Frame {
  /** byte of the file where the frame starts */
  readonly start: number;
  readonly decoder: Decompress;
  hasChecksum: boolean;
  descriptor: number;
  declaredSize?: number;
  /** decompressed bytes so far */
  produced: number;
  /** byte of the file where the latest block header starts */
  block: number;
  lastBlock: boolean;
}

/** Decompresses zstd chunks (one or more frames, skippable frames allowed), verifying every frame. */
export async function* zstdChunks(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
): AsyncGenerator<Uint8Array> {
  const stream = new ZstdStream(file, new Xxh64());
  for await (const chunk of chunks) {
    stream.push(chunk);
    yield* stream.take();
  }
  stream.end();
  yield* stream.take();
}

class ZstdStream {
  private part: Part = 'magic';
  private readonly field = new Uint8Array(LONGEST_FIELD);
  private fieldLength = 0;
  private fieldWanted = MAGIC_BYTES;
  private bodyLeft = 0;
  /** byte of the file where the current chunk starts */
  private chunkStart = 0;
  private frame: Frame | undefined;
  private output: Uint8Array[] = [];

  constructor(
    private readonly file: string,
    private readonly hasher: Xxh64,
  ) {}

  /** Decompressed blocks since the last call. */
  take(): Uint8Array[] {
    const blocks = this.output;
    this.output = [];
    return blocks;
  }

  push(chunk: Uint8Array): void {
    let p = 0;
    /** bytes of the chunk up to here went to the frame's decoder (or belong to no frame) */
    let fed = 0;
    const feedTo = (end: number, final = false) => {
      this.feed(chunk.subarray(fed, end), final);
      fed = end;
    };
    for (;;) {
      if (this.part === 'blockBody' || this.part === 'skippableBody') {
        const take = Math.min(this.bodyLeft, chunk.length - p);
        p += take;
        this.bodyLeft -= take;
        if (this.bodyLeft > 0) break;
        if (this.part === 'skippableBody') {
          fed = p;
          this.expect('magic', MAGIC_BYTES);
          continue;
        }
        const frame = this.frame!;
        if (!frame.lastBlock) {
          feedTo(p);
          this.expect('blockHeader', BLOCK_HEADER_BYTES);
        } else if (frame.hasChecksum) this.expect('checksum', CHECKSUM_BYTES);
        else {
          feedTo(p, true);
          this.endFrame(undefined);
        }
        continue;
      }
      const take = Math.min(this.fieldWanted - this.fieldLength, chunk.length - p);
      this.field.set(chunk.subarray(p, p + take), this.fieldLength);
      this.fieldLength += take;
      p += take;
      if (this.fieldLength < this.fieldWanted) break;
      const at = this.chunkStart + p - this.fieldWanted;
      switch (this.part) {
        case 'magic':
          fed = p;
          this.startFrame(at);
          break;
        case 'frameDescriptor':
          this.readDescriptor();
          break;
        case 'frameHeader':
          this.readFrameHeader();
          break;
        case 'blockHeader':
          this.readBlockHeader(at);
          break;
        case 'checksum':
          feedTo(p, true);
          this.endFrame(at);
          break;
        case 'skippableSize':
          fed = p;
          this.bodyLeft = readU32(this.field, 0);
          this.part = 'skippableBody';
          break;
      }
    }
    if (this.frame) feedTo(chunk.length);
    this.chunkStart += chunk.length;
  }

  /** Checks that the data did not end inside a frame. */
  end(): void {
    this.push(new Uint8Array(0));
    if (this.part === 'magic' && this.fieldLength === 0) return;
    const inside = this.frame
      ? `the frame at byte ${this.frame.start}`
      : this.part === 'magic'
        ? 'a magic number'
        : 'a skippable frame';
    throw this.corrupt(this.chunkStart, `the data ends inside ${inside}`);
  }

  private expect(part: Part, bytes: number): void {
    this.part = part;
    this.fieldLength = 0;
    this.fieldWanted = bytes;
  }

  private startFrame(at: number): void {
    const magic = readU32(this.field, 0);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      this.expect('skippableSize', SKIPPABLE_SIZE_BYTES);
      return;
    }
    if (magic !== FRAME_MAGIC) {
      throw this.corrupt(at, `not a zstd frame: magic number ${hex(magic)}`);
    }
    const decoder = new Decompress((data) => {
      if (data.length === 0) return;
      this.frame!.produced += data.length;
      if (this.frame!.hasChecksum) this.hasher.update(data);
      this.output.push(data);
    });
    this.frame = {
      start: at,
      decoder,
      hasChecksum: false,
      descriptor: 0,
      produced: 0,
      block: at,
      lastBlock: false,
    };
    // fzstd may hold on to pushed bytes until it has a whole header; the field is reused
    this.feed(this.field.slice(0, MAGIC_BYTES), false);
    this.expect('frameDescriptor', 1);
  }

  private readDescriptor(): void {
    const frame = this.frame!;
    const descriptor = this.field[0];
    frame.descriptor = descriptor;
    frame.hasChecksum = (descriptor & CHECKSUM_FLAG) !== 0;
    if (frame.hasChecksum) this.hasher.reset();
    const singleSegment = (descriptor >> 5) & 1;
    const rest = (singleSegment ? 0 : 1) + DICTIONARY_ID_BYTES[descriptor & 3] + contentSizeBytes(descriptor);
    if (rest > 0) this.expect('frameHeader', rest);
    else this.expect('blockHeader', BLOCK_HEADER_BYTES);
  }

  private readFrameHeader(): void {
    const frame = this.frame!;
    const d = frame.descriptor;
    const sizeBytes = contentSizeBytes(d);
    if (sizeBytes > 0) {
      const at = ((d >> 5) & 1 ? 0 : 1) + DICTIONARY_ID_BYTES[d & 3];
      let size = 0;
      for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + this.field[at + i];
      // a 2-byte content size is stored minus 256 (RFC 8878 §3.1.1.1.4)
      frame.declaredSize = sizeBytes === 2 ? size + 256 : size;
    }
    this.expect('blockHeader', BLOCK_HEADER_BYTES);
  }

  private readBlockHeader(at: number): void {
    const frame = this.frame!;
    const header = this.field[0] | (this.field[1] << 8) | (this.field[2] << 16);
    const type = (header >> 1) & 3;
    if (type === RESERVED_BLOCK) throw this.corrupt(at, 'reserved block type');
    frame.block = at;
    frame.lastBlock = (header & 1) === 1;
    this.bodyLeft = type === RLE_BLOCK ? 1 : header >>> 3;
    this.part = 'blockBody';
  }

  /** Verifies the finished frame's size and checksum (stored at byte `checksumAt`, when it has one). */
  private endFrame(checksumAt: number | undefined): void {
    const frame = this.frame!;
    if (frame.declaredSize !== undefined && frame.produced !== frame.declaredSize) {
      throw this.corrupt(
        frame.start,
        `the frame declares ${frame.declaredSize} content bytes but decompresses to ${frame.produced}`,
      );
    }
    if (checksumAt !== undefined) {
      const stored = readU32(this.field, 0);
      const computed = Number(this.hasher.digest() & 0xffffffffn);
      if (stored !== computed) {
        throw this.corrupt(
          checksumAt,
          `the content checksum of the frame at byte ${frame.start} is ${hex(stored)}, ` +
            `its decompressed content's is ${hex(computed)}`,
        );
      }
    }
    this.frame = undefined;
    this.expect('magic', MAGIC_BYTES);
  }

  private feed(bytes: Uint8Array, final: boolean): void {
    const frame = this.frame!;
    try {
      frame.decoder.push(bytes, final);
    } catch (err) {
      throw this.corrupt(frame.block, `${(err as Error).message} (in the frame at byte ${frame.start})`);
    }
  }

  private corrupt(offset: number, reason: string): CompressedDataError {
    return new CompressedDataError({ file: this.file, offset }, `corrupt or truncated zstd data: ${reason}`);
  }
}

/** Bytes of Frame_Content_Size: 0, 1 (single segment only), 2, 4 or 8. */
function contentSizeBytes(descriptor: number): number {
  const flag = descriptor >> 6;
  if (flag === 0) return (descriptor >> 5) & 1;
  return 1 << flag;
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

function hex(u32: number): string {
  return `0x${u32.toString(16).padStart(8, '0')}`;
}
