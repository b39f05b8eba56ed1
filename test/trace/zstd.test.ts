import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decompress as fzstdDecompress } from 'fzstd';
import { CompressedDataError } from '../../src/trace/errors.js';
import { readTrace } from '../../src/trace/read.js';
import { zstdChunks } from '../../src/trace/zstd.js';
import { smartcache } from '../helpers.js';
import { assertFormatError, examples, tempFile, tempPath } from './helpers.js';

const cmsSample = readFileSync(join(examples, 'cms-sample.csv'));

/** Compresses with the zstd command line tool, which writes the content checksum and, for a file, the size. */
function zstd(content: Uint8Array): Buffer {
  return execFileSync('zstd', ['-q', '-c', tempFile('content', content)]);
}

/** A skippable frame (magic 0x184D2A5?) holding `content`. */
function skippable(content: string): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(0x184d2a5e, 0);
  header.writeUInt32LE(content.length, 4);
  return Buffer.concat([header, Buffer.from(content)]);
}

async function decompressed(compressed: Uint8Array, pieceBytes: number): Promise<Buffer> {
  async function* pieces() {
    for (let i = 0; i < compressed.length; i += pieceBytes) yield compressed.subarray(i, i + pieceBytes);
  }
  const parts: Uint8Array[] = [];
  for await (const part of zstdChunks(pieces(), 'x.zst')) parts.push(part);
  return Buffer.concat(parts);
}

test('zstd: frames one after another (cat a.zst b.zst, an empty frame, a skippable frame) read as the concatenation', async () => {
  const second = Buffer.from('time,id,size\n9,z,1\n');
  const file = Buffer.concat([zstd(cmsSample), zstd(new Uint8Array(0)), skippable('ignored'), zstd(second)]);
  const whole = Buffer.concat([cmsSample, second]);
  // every split of the compressed bytes: headers, blocks and checksums cut across chunks
  for (const pieceBytes of [1, 2, 3, 5, 7, 64, file.length]) {
    assert.deepEqual(await decompressed(file, pieceBytes), whole, `pieces of ${pieceBytes} bytes`);
  }
  const startsSkippable = tempFile('skip-first.zst', Buffer.concat([skippable('x'), zstd(cmsSample)]));
  assert.equal((await readTrace(startsSkippable, { format: 'cms' })).trace.length, 20);
});

const isDigit = (byte: number) => byte >= 0x30 && byte <= 0x39;

/**
 * The compressed sample with the first byte from the middle on flipped whose damage fzstd
 * alone does not notice: its output only has other digits (as when a literal is hit), so
 * every row still parses and only the frame checksum tells.
 */
function silentlyFlipped(): Buffer {
  const good = zstd(cmsSample);
  for (let at = good.length >> 1; at < good.length; at++) {
    const flipped = Buffer.from(good);
    flipped[at] ^= 0x01;
    let content: Uint8Array;
    try {
      content = fzstdDecompress(flipped);
    } catch {
      continue;
    }
    const changed = cmsSample.filter((byte, i) => byte !== content[i]).length;
    const digitsOnly = cmsSample.every(
      (byte, i) => byte === content[i] || (isDigit(byte) && isDigit(content[i])),
    );
    if (content.length === cmsSample.length && changed > 0 && digitsOnly) return flipped;
  }
  throw new Error('no byte of the compressed sample flips into other digits');
}

test('zstd: a byte flipped in the middle is a compressed-data error that --skip-bad never skips', async () => {
  const input = tempFile('flipped.csv.zst', silentlyFlipped());
  for (const skipBad of ['0', '1000']) {
    const out = tempPath('flipped.csv');
    await assert.rejects(
      smartcache('convert', input, out, '--skip-bad', skipBad),
      (err: { code: number; stderr: string }) => {
        assert.equal(err.code, 1);
        assert.match(
          err.stderr,
          /flipped\.csv\.zst \(byte \d+\): corrupt or truncated zstd data: the content checksum/,
        );
        assert.doesNotMatch(err.stderr, /skipped:/);
        return true;
      },
    );
    assert.equal(existsSync(out), false);
  }
});

test('zstd: a wrong checksum, a wrong declared size and truncation are errors at their byte', async () => {
  const good = zstd(cmsSample);
  const badChecksum = Buffer.from(good);
  badChecksum[good.length - 1] ^= 0x80;
  const checksumFile = tempFile('sum.csv.zst', badChecksum);
  await assertFormatError(readTrace(checksumFile, { skipBad: 100 }), {
    file: checksumFile,
    offset: good.length - 4,
    reason:
      /^corrupt or truncated zstd data: the content checksum of the frame at byte 0 is 0x[0-9a-f]{8}, its decompressed content's is 0x[0-9a-f]{8}$/,
  });

  // the frame header: magic (4), descriptor, window descriptor unless single-segment, dictionary id, content size
  const descriptor = good[4];
  assert.notEqual(descriptor >> 6, 0, 'zstd declares the content size of a file it compresses');
  const sizeAt = 5 + ((descriptor >> 5) & 1 ? 0 : 1) + [0, 1, 2, 4][descriptor & 3];
  const badSize = Buffer.from(good);
  assert.ok(badSize[sizeAt] < 0xff);
  badSize[sizeAt] += 1;
  const sizeFile = tempFile('size.csv.zst', badSize);
  await assertFormatError(readTrace(sizeFile), {
    file: sizeFile,
    offset: 0,
    reason: new RegExp(
      `the frame declares ${cmsSample.length + 1} content bytes but decompresses to ${cmsSample.length}$`,
    ),
  });

  for (const cut of [good.length - 2, good.length >> 1, 6]) {
    const file = tempFile('cut.csv.zst', good.subarray(0, cut));
    await assertFormatError(readTrace(file, { format: 'cms', skipBad: 100 }), {
      file,
      offset: cut,
      reason: /^corrupt or truncated zstd data: the data ends inside the frame at byte 0$/,
    });
  }
  const trailing = tempFile('trailing.csv.zst', Buffer.concat([good, Buffer.from('junk')]));
  await assertFormatError(readTrace(trailing), {
    file: trailing,
    offset: good.length,
    reason: /not a zstd frame: magic number 0x6b6e756a$/,
  });
});

test('zstd: when corrupt data makes a bad record first, the corruption is what is reported', async () => {
  const badRow = zstd(Buffer.from('time,id,size\n1,a,1\n2,b,x\n'));
  const corrupt = zstd(cmsSample);
  corrupt[corrupt.length - 1] ^= 0x80;
  const file = tempFile('row-then-corrupt.csv.zst', Buffer.concat([badRow, corrupt]));
  await assert.rejects(readTrace(file), (err: unknown) => {
    assert.ok(err instanceof CompressedDataError, String(err));
    assert.equal(err.offset, badRow.length + corrupt.length - 4);
    return true;
  });
});
