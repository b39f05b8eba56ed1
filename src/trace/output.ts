/** Writing trace files: back-pressure aware chunk and line output shared by every writer. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { TraceWriteError } from './errors.js';
import { quoteField } from './fields.js';
import type { Trace } from './model.js';

const LINES_PER_WRITE = 1 << 13;

/** Writes one chunk, waiting for the stream to drain when its buffer is full. */
export async function writeChunk(out: Writable, chunk: string | Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Writes an optional header line and then `count` lines produced by `lineAt`, in batches. */
export async function writeLines(
  out: Writable,
  header: string | undefined,
  count: number,
  lineAt: (i: number) => string,
): Promise<void> {
  if (header !== undefined) await writeChunk(out, `${header}\n`);
  const batch: string[] = [];
  for (let start = 0; start < count; start += LINES_PER_WRITE) {
    const end = Math.min(count, start + LINES_PER_WRITE);
    batch.length = 0;
    for (let i = start; i < end; i++) batch.push(lineAt(i));
    batch.push('');
    await writeChunk(out, batch.join('\n'));
  }
}

/** A string column value of request i, or '' when the trace has no such column. */
export function dictValue(
  column: { codes: Uint32Array; values: readonly string[] } | undefined,
  i: number,
): string {
  return column ? column.values[column.codes[i]] : '';
}

/**
 * A text field of a delimited writer, quoted when needed. A line break is refused: no reader
 * here takes one inside quotes, so the file could not be read back.
 */
export function delimitedField(value: string, format: string, request: number, field: string): string {
  if (/[\r\n]/.test(value)) {
    throw new TraceWriteError(format, request, field, `${JSON.stringify(value)} holds a line break`);
  }
  return quoteField(value);
}

/** The object id of request i as text; an empty one is refused, as the readers refuse it. */
export function idText(trace: Trace, i: number, format: string, field: string): string {
  const id = String(trace.keys.key(trace.obj[i]));
  if (id === '') throw new TraceWriteError(format, i, field, 'is empty (the reader refuses an empty id)');
  return id;
}
