/** Joins the Arrow IPC streams of a Spark Connect result into one apache-arrow Table. */
import { Table, tableFromIPC } from 'apache-arrow';

/**
 * Spark sends each ArrowBatch as a complete IPC stream (schema + record batches); an empty result
 * still comes as one stream that carries only the schema, so the first stream's schema is the table's.
 */
export function tableFromArrowStreams(streams: Uint8Array[]): Table {
  if (streams.length === 0) return new Table();
  const tables = streams.map((stream) => tableFromIPC(stream));
  return new Table(
    tables[0].schema,
    tables.flatMap((table) => table.batches),
  );
}
