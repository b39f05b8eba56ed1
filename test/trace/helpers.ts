/** Shared test helpers: repository paths, temporary files and trace comparison. */
import assert from 'node:assert/strict';
import { TraceFormatError } from '../../src/trace/errors.js';
import { type Request, requestAt, type Trace } from '../../src/trace/model.js';
import { type FormatName, type ReadOptions, type ReadResult, readTrace } from '../../src/trace/read.js';
import { writeTrace } from '../../src/trace/write.js';
import { tempFile, tempPath } from '../helpers.js';

export { examples, fixtures, repoRoot, sharedTraces, tempFile, tempPath } from '../helpers.js';

export function readText(name: string, content: string, options?: ReadOptions): Promise<ReadResult> {
  return readTrace(tempFile(name, content), options);
}

export function requests(trace: Trace): Request[] {
  return Array.from({ length: trace.length }, (_, i) => requestAt(trace, i));
}

/** Writes a trace in a format and reads it back. */
export async function roundTrip(trace: Trace, format: FormatName, name: string): Promise<Trace> {
  const file = tempPath(name);
  await writeTrace(trace, file, format);
  return (await readTrace(file, { format })).trace;
}

export interface ExpectedError {
  file?: string;
  line?: number;
  offset?: number;
  field?: string;
  reason: RegExp;
}

/** Asserts that reading rejects with a TraceFormatError at the expected place. */
export async function assertFormatError(reading: Promise<unknown>, expected: ExpectedError): Promise<void> {
  await assert.rejects(reading, (err: unknown) => {
    assert.ok(err instanceof TraceFormatError, `expected TraceFormatError, got ${err}`);
    if (expected.file !== undefined) assert.equal(err.file, expected.file);
    assert.equal(err.line, expected.line);
    assert.equal(err.offset, expected.offset);
    assert.equal(err.field, expected.field);
    assert.match(err.reason, expected.reason);
    return true;
  });
}
