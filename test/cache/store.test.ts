import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BlockUnreadableError } from '../../src/cache/errors.js';
import { BlockStore, type CachedFile, type DiskReads, PAGE_SIZE } from '../../src/cache/store.js';
import { tempPath } from '../helpers.js';

const BLOCK = 2 * PAGE_SIZE;
const SIZE = 2 * BLOCK + PAGE_SIZE + 1234; // three blocks, the last one short and ending mid-page
/** Prints lastAccess of /a, /b and /c in the index at argv[1] (ESM, run by node -e). */
const READ_LAST_ACCESS = `import { open } from 'lmdb';
const root = open({ path: process.argv[1], readOnly: true, maxDbs: 4 });
const files = root.openDB({ name: 'files', encoding: 'msgpack' });
console.log(JSON.stringify(['/a', '/b', '/c'].map((path) => files.get(path)?.lastAccess)));`;
const META = { size: SIZE, etag: '"v1"', lastModified: 'Tue, 01 Jan 2019 00:00:00 GMT', checkedAt: 1000 };

function openStore(dir: string, diskReads: DiskReads = 'blocking'): Promise<BlockStore> {
  return BlockStore.open(dir, {
    blockSize: BLOCK,
    diskReads,
    onAccessFlushError: (err) => assert.fail(err),
  });
}

async function storeWithFile(
  dir: string,
  bytes: Buffer,
  blocks: number[],
  diskReads: DiskReads = 'blocking',
): Promise<BlockStore> {
  const store = await openStore(dir, diskReads);
  const file = await store.create('/store/a.root', META, 1000);
  for (const b of blocks) {
    assert.equal(
      await store.writeBlock(file, b, bytes.subarray(b * BLOCK, b * BLOCK + file.blockLength(b))),
      true,
    );
  }
  return store;
}

async function read(store: BlockStore, file: CachedFile, index: number, from: number, to: number) {
  return Buffer.from(await store.readBlock(file, index, from, to, Buffer.alloc(BLOCK)));
}

for (const diskReads of ['blocking', 'threads'] as const) {
  test(`blocks written are read back byte for byte, any sub-range, the short last block too (${diskReads} reads)`, async () => {
    const bytes = randomBytes(SIZE);
    const store = await storeWithFile(tempPath('store'), bytes, [0, 2], diskReads);
    try {
      const file = store.get('/store/a.root')!;
      assert.deepEqual([...file.present], [1, 0, 1]);
      assert.equal(store.diskBytes, BLOCK + (SIZE - 2 * BLOCK));
      for (const [b, from, to] of [
        [0, 0, BLOCK],
        [0, 5, 7],
        [0, PAGE_SIZE - 1, PAGE_SIZE + 1],
        [2, 0, SIZE - 2 * BLOCK],
        [2, PAGE_SIZE + 1000, SIZE - 2 * BLOCK],
      ]) {
        assert.deepEqual(
          await read(store, file, b, from, to),
          bytes.subarray(b * BLOCK + from, b * BLOCK + to),
        );
      }
    } finally {
      await store.close();
    }
  });
}

test('a reopened store recovers records, block maps and disk bytes from the index and deletes unknown data files', async () => {
  const dir = tempPath('store');
  const bytes = randomBytes(SIZE);
  await (await storeWithFile(dir, bytes, [1, 2])).close();
  mkdirSync(join(dir, 'data', 'ff'), { recursive: true });
  writeFileSync(join(dir, 'data', 'ff', 'ff0000000000000000000000'), 'orphan of a crash');
  const store = await openStore(dir);
  try {
    const file = store.get('/store/a.root')!;
    assert.equal(file.record.etag, '"v1"');
    assert.deepEqual([...file.present], [0, 1, 1]);
    assert.equal(store.diskBytes, SIZE - BLOCK);
    assert.equal(store.fileCount, 1);
    assert.equal(existsSync(join(dir, 'data', 'ff', 'ff0000000000000000000000')), false);
    assert.deepEqual(await read(store, file, 1, 0, BLOCK), bytes.subarray(BLOCK, 2 * BLOCK));
  } finally {
    await store.close();
  }
});

test('a page changed on disk fails its checksum; the dropped block leaves the map and the disk bytes', async () => {
  const dir = tempPath('store');
  const store = await storeWithFile(dir, randomBytes(SIZE), [0, 1]);
  try {
    const file = store.get('/store/a.root')!;
    const fd = openSync(file.dataPath, 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, BLOCK + PAGE_SIZE + 17);
    writeSync(fd, Buffer.from([byte[0] ^ 0x40]), 0, 1, BLOCK + PAGE_SIZE + 17);
    await assert.rejects(
      read(store, file, 1, PAGE_SIZE, PAGE_SIZE + 100),
      (err: unknown) => err instanceof BlockUnreadableError && err.reason === 'checksum' && err.block === 1,
    );
    // the untouched first page of the same block still reads: pages are checked one by one
    assert.equal((await read(store, file, 1, 0, 100)).length, 100);
    await store.dropBlock(file, 1);
    assert.deepEqual([...file.present], [1, 0, 0]);
    assert.equal(store.diskBytes, BLOCK);
  } finally {
    await store.close();
  }
  const reopened = await openStore(dir);
  try {
    assert.deepEqual([...reopened.get('/store/a.root')!.present], [1, 0, 0]);
  } finally {
    await reopened.close();
  }
});

test('a removed file leaves the index and the disk; a block written for it after removal is not recorded', async () => {
  const dir = tempPath('store');
  const bytes = randomBytes(SIZE);
  const store = await storeWithFile(dir, bytes, [0]);
  try {
    const file = store.get('/store/a.root')!;
    const late = store.writeBlock(file, 1, bytes.subarray(BLOCK, 2 * BLOCK));
    await store.remove('/store/a.root');
    assert.equal(await late, false);
    assert.equal(store.get('/store/a.root'), undefined);
    assert.equal(store.diskBytes, 0);
    assert.equal(existsSync(file.dataPath), false);
  } finally {
    await store.close();
  }
  const reopened = await openStore(dir);
  try {
    assert.equal(reopened.fileCount, 0);
    assert.deepEqual(
      readdirSync(join(dir, 'data')).flatMap((shard) => readdirSync(join(dir, 'data', shard))),
      [],
    );
  } finally {
    await reopened.close();
  }
});

test('a block whose data file is gone is reported missing, not served', async () => {
  const store = await storeWithFile(tempPath('store'), randomBytes(SIZE), [0]);
  try {
    const file = store.get('/store/a.root')!;
    writeFileSync(file.dataPath, Buffer.alloc(10));
    await assert.rejects(
      read(store, file, 0, 0, 100),
      (err: unknown) => err instanceof BlockUnreadableError && err.reason === 'missing',
    );
  } finally {
    await store.close();
  }
});

test('opens booked in memory reach the index on close, kept through block writes and drops meanwhile', async () => {
  const dir = tempPath('store');
  const bytes = randomBytes(SIZE);
  const store = await storeWithFile(dir, bytes, [0, 1]);
  try {
    const file = store.get('/store/a.root')!;
    store.touch(file, 2000);
    await store.writeBlock(file, 2, bytes.subarray(2 * BLOCK));
    store.touch(file, 3000);
    await store.dropBlock(file, 0);
    assert.deepEqual(
      [file.record.lastAccess, file.record.accessCount, file.record.presentBlocks],
      [3000, 2, 2],
    );
  } finally {
    await store.close();
  }
  const reopened = await openStore(dir);
  try {
    const { record } = reopened.get('/store/a.root')!;
    assert.deepEqual([record.lastAccess, record.accessCount, record.presentBlocks], [3000, 2, 2]);
  } finally {
    await reopened.close();
  }
});

test('opens reach the index within a second without a close, in one write for many files', async () => {
  const dir = tempPath('store');
  const store = await openStore(dir);
  try {
    const files = await Promise.all(['/a', '/b', '/c'].map((path) => store.create(path, META, 1000)));
    for (const [i, file] of files.entries()) store.touch(file, 2000 + i);
    // another process reads the index, as after a kill -9 of this one
    const indexed = () =>
      JSON.parse(
        execFileSync(
          process.execPath,
          ['--input-type=module', '-e', READ_LAST_ACCESS, join(dir, 'index.mdb')],
          {
            encoding: 'utf8',
          },
        ),
      );
    assert.deepEqual(indexed(), [1000, 1000, 1000]);
    const deadline = Date.now() + 5000;
    while (indexed().includes(1000) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(indexed(), [2000, 2001, 2002]);
  } finally {
    await store.close();
  }
});
