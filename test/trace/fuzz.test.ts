/**
 * Fuzzing the readers: the example inputs and generated traces in every format, plain and
 * compressed, mutated by a seeded generator (flipped bytes, cut spans, truncation, hostile
 * tokens such as NaN, 1e309, 0x1f, a BOM or a quote). Every mutant is read and then used as
 * the commands use a trace. Asserted: no crash (only the readers' own typed refusals), no
 * hang (each case runs in a worker stopped after a time limit), and no silent change of data
 * (a mutated compressed file either is refused or decompresses to exactly the original).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { Random } from '../../src/common/random.js';
import { parseColumnMap } from '../../src/trace/formats/csv.js';
import type { FormatName } from '../../src/trace/formats/index.js';
import { generateWorkload } from '../../src/trace/generate.js';
import { type ReadOptions, readTrace } from '../../src/trace/read.js';
import { writeTrace } from '../../src/trace/write.js';
import { examples, tempPath } from '../helpers.js';
import type { FuzzCase, FuzzOutcome } from './fuzz-worker.js';

const SEED = 20261203;
const MUTANTS_PER_INPUT = 80;
const CASE_TIMEOUT_MS = 15_000;

const HOSTILE_TOKENS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1',
  '-0',
  '0x1f',
  '0b11',
  '1_000',
  '99999999999999999999',
  '1e13',
  '2019-02-30',
  ' ',
  '',
  ',',
  '"',
  '""',
  '\n',
  '\r\n',
  '\t',
  '\ufeff',
  '\u0000',
  'null',
  'true',
  '{',
  '}',
  '[1]',
  '\u00e9\u4e2d',
];

interface FuzzInput {
  name: string;
  file: string;
  options: ReadOptions;
  /** binary or compressed: mutate bytes only, no text tokens */
  binary: boolean;
  /** compressed: a mutant must be refused or read as exactly the original */
  compressed: boolean;
}

async function inputs(): Promise<FuzzInput[]> {
  const generated = generateWorkload({ requests: 300, seed: 3, days: 2, maxFileSize: 4e9 });
  const plain = (name: string, file: string, format: FormatName, extra: ReadOptions = {}): FuzzInput => ({
    name,
    file,
    options: { format, ...extra },
    binary: format === 'oracle-general',
    compressed: false,
  });
  const written = async (format: FormatName, extension: string) => {
    const file = tempPath(`fuzz-base.${extension}`);
    await writeTrace(generated, file, format);
    return plain(format, file, format);
  };
  const list: FuzzInput[] = [
    plain('cms', join(examples, 'cms-sample.csv'), 'cms'),
    plain('xrootd', join(examples, 'xrootd-sample.jsonl'), 'xrootd'),
    plain('mapped csv', join(examples, 'mapped.csv'), 'csv', {
      map: parseColumnMap('time=ts,id=lfn,size=bytes,site=site,user=client,bytesRead=read'),
    }),
    await written('csv', 'csv'),
    await written('libcachesim-csv', 'lcs.csv'),
    await written('oracle-general', 'bin'),
  ];
  const compressedCopies = list.flatMap((input) => [
    { ...input, name: `${input.name}.gz`, file: compress(input.file, 'gz'), binary: true, compressed: true },
    {
      ...input,
      name: `${input.name}.zst`,
      file: compress(input.file, 'zst'),
      binary: true,
      compressed: true,
    },
  ]);
  return [...list, ...compressedCopies];
}

function compress(file: string, kind: 'gz' | 'zst'): string {
  const out = tempPath(`fuzz-base-${file.replace(/[^\w.]/g, '_')}.${kind}`);
  if (kind === 'gz') writeFileSync(out, gzipSync(readFileSync(file)));
  else execFileSync('zstd', ['-q', '-f', file, '-o', out]);
  return out;
}

function mutate(content: Uint8Array, binary: boolean, rng: Random): Buffer {
  let bytes: Buffer = Buffer.from(content);
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits && bytes.length > 0; e++) {
    const at = rng.int(bytes.length);
    switch (rng.int(binary ? 3 : 5)) {
      case 0:
        bytes[at] ^= 1 + rng.int(255);
        break;
      case 1:
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          bytes.subarray(Math.min(bytes.length, at + 1 + rng.int(24))),
        ]);
        break;
      case 2:
        bytes = bytes.subarray(0, at);
        break;
      case 3: {
        const token = Buffer.from(HOSTILE_TOKENS[rng.int(HOSTILE_TOKENS.length)]);
        bytes = Buffer.concat([bytes.subarray(0, at), token, bytes.subarray(at)]);
        break;
      }
      default:
        bytes = replaceField(bytes, at, HOSTILE_TOKENS[rng.int(HOSTILE_TOKENS.length)]);
    }
  }
  return bytes;
}

/** Replaces the field (between separators) around `at` with `token`. */
function replaceField(bytes: Buffer, at: number, token: string): Buffer {
  const separator = (b: number) => b === 0x2c || b === 0x0a || b === 0x3a || b === 0x22;
  let start = at;
  while (start > 0 && !separator(bytes[start - 1])) start--;
  let end = at;
  while (end < bytes.length && !separator(bytes[end])) end++;
  return Buffer.concat([bytes.subarray(0, start), Buffer.from(token), bytes.subarray(end)]);
}

/** Runs cases one at a time in a worker; a case past the time limit is a hang and gets a new worker. */
class FuzzRunner {
  private worker = this.start();

  private start(): Worker {
    return new Worker(new URL('./fuzz-worker.js', import.meta.url));
  }

  run(c: FuzzCase): Promise<FuzzOutcome | 'hang'> {
    return new Promise((resolve) => {
      const worker = this.worker;
      const timer = setTimeout(() => {
        worker.removeAllListeners('message');
        void worker.terminate();
        this.worker = this.start();
        resolve('hang');
      }, CASE_TIMEOUT_MS);
      worker.once('message', (outcome: FuzzOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      worker.postMessage(c);
    });
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

test('fuzzed inputs in every format, plain and compressed: no crash, no hang, no silent change', async () => {
  const { traceDigest } = await import('./fuzz-worker.js');
  const rng = new Random(SEED);
  const runner = new FuzzRunner();
  const problems: string[] = [];
  let cases = 0;
  let refused = 0;
  try {
    for (const input of await inputs()) {
      const original = traceDigest((await readTrace(input.file, input.options)).trace);
      const content = readFileSync(input.file);
      for (let m = 0; m < MUTANTS_PER_INPUT; m++) {
        const mutant = mutate(content, input.binary, rng);
        const file = tempPath(`fuzz-${cases}-${input.name.replace(/\W/g, '_')}`);
        writeFileSync(file, mutant);
        const outcome = await runner.run({ file, options: input.options, csvOut: `${file}.out.csv` });
        cases++;
        const label = `${input.name} mutant ${m} (${file})`;
        if (outcome === 'hang') problems.push(`${label}: no answer within ${CASE_TIMEOUT_MS} ms`);
        else if (outcome.kind === 'crashed') problems.push(`${label}: ${outcome.error}: ${outcome.message}`);
        else if (outcome.kind === 'refused') refused++;
        else if (outcome.kind === 'read' && input.compressed && outcome.digest !== original) {
          problems.push(`${label}: corrupt compressed data read as other requests`);
        }
      }
    }
  } finally {
    await runner.stop();
  }
  assert.deepEqual(problems, [], `${problems.length} of ${cases} cases failed`);
  assert.ok(refused > cases / 4, `the mutations reach the readers' checks (${refused} of ${cases} refused)`);
});
