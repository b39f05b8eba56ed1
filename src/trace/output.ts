/** Writing trace files: back-pressure aware chunk and line output shared by every writer. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

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
