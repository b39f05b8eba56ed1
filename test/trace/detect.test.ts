import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CMS_COLUMNS } from '../../src/trace/formats/cms.js';
import { detectFormat } from '../../src/trace/read.js';
import { formatForFileName } from '../../src/trace/write.js';

const text = (s: string) => new TextEncoder().encode(s);

test('detection by name for binary traces and by the first line for text', () => {
  assert.equal(detectFormat('a.oracleGeneral.bin', text('\0\0')), 'oracle-general');
  assert.equal(detectFormat('x.oracleGeneral.zst', text('\0')), 'oracle-general');
  assert.equal(detectFormat('a.log', text('\n{"file_lfn":"/a"}\n')), 'xrootd');
  assert.equal(detectFormat('a.csv', text(`${CMS_COLUMNS.join(',')}\n`)), 'cms');
  assert.equal(detectFormat('a.csv', text('time,id,size,site\n')), 'csv');
  assert.equal(detectFormat('a.csv', text('time,obj_id,obj_size,extra\n')), 'libcachesim-csv');
  assert.equal(detectFormat('a.csv', text('version,time,op,size,lbn\r\n')), 'libcachesim-csv');
  assert.equal(
    detectFormat('cloudPhysicsIO.oracleGeneral.plain.csv', text('time,obj_id,obj_size\n')),
    'libcachesim-csv',
  );
});

test('undetectable input names every format and --format', () => {
  assert.throws(
    () => detectFormat('a.csv', text('1,2,3\n')),
    (err: Error) =>
      /pass --format/.test(err.message) &&
      ['libcachesim-csv', 'oracle-general', 'cms', 'xrootd', 'csv'].every((f) => err.message.includes(f)),
  );
});

test('output format from the file name', () => {
  assert.equal(formatForFileName('o.bin'), 'oracle-general');
  assert.equal(formatForFileName('o.jsonl.gz'), 'xrootd');
  assert.equal(formatForFileName('o.csv.gz'), 'csv');
  assert.equal(formatForFileName('o.txt'), undefined);
});

test('the first non-blank line decides even after many blank lines', () => {
  const head = new TextEncoder().encode(`${'\n'.repeat(100)}time,id,size\n1,a,1\n`);
  assert.equal(detectFormat('late-header.txt', head), 'csv');
});
