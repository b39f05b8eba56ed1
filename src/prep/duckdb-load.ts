/**
 * Bulk loading of typed arrays into DuckDB: one vector-sized data chunk at a time, each
 * column copied as raw memory into the chunk's vectors and handed to an appender. This is
 * far faster than appending value by value (about 2 s for 10 M eight-column rows).
 */
import { type DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';

/** Fills rows [start, start + count) of a table column into `vector` (rows 0..count-1). */
export type ColumnWriter = (vector: duckdb.Vector, start: number, count: number) => void;

const VECTOR_SIZE = duckdb.vector_size();

/** Appends `rows` rows to `table`, column i written by `writers[i]`. */
export async function appendColumns(
  connection: DuckDBConnection,
  table: string,
  rows: number,
  writers: readonly ColumnWriter[],
  onProgress?: (rows: number) => void,
): Promise<void> {
  const appender = await connection.createAppender(table);
  const types = writers.map((_, i) => appender.columnType(i));
  const chunk = DuckDBDataChunk.create(types);
  const vectors = writers.map((_, i) => duckdb.data_chunk_get_vector(chunk.chunk, i));
  for (let start = 0; start < rows; start += VECTOR_SIZE) {
    const count = Math.min(VECTOR_SIZE, rows - start);
    for (let c = 0; c < writers.length; c++) writers[c](vectors[c], start, count);
    duckdb.data_chunk_set_size(chunk.chunk, count);
    appender.appendDataChunk(chunk);
    if (onProgress && ((start / VECTOR_SIZE) & 255) === 255) onProgress(start + count);
  }
  appender.closeSync();
  onProgress?.(rows);
}

/** A DOUBLE (Float64Array) or INTEGER (Uint32Array below 2^31) column. */
export function numericColumn(column: Float64Array | Uint32Array): ColumnWriter {
  const width = column.BYTES_PER_ELEMENT;
  const { buffer, byteOffset } = column;
  if (buffer instanceof ArrayBuffer) {
    return (vector, start, count) =>
      duckdb.copy_data_to_vector(vector, 0, buffer, byteOffset + start * width, count * width);
  }
  // the bindings take only ArrayBuffers: columns in SharedArrayBuffers go through a scratch copy
  const scratch = new Uint8Array(VECTOR_SIZE * width);
  const bytes = new Uint8Array(buffer, byteOffset, column.byteLength);
  return (vector, start, count) => {
    scratch.set(bytes.subarray(start * width, (start + count) * width));
    duckdb.copy_data_to_vector(vector, 0, scratch.buffer, 0, count * width);
  };
}

/** A BIGINT column holding the row number. */
export function rowNumberColumn(): ColumnWriter {
  const words = new Uint32Array(2 * VECTOR_SIZE);
  return (vector, start, count) => {
    for (let k = 0; k < count; k++) {
      const n = start + k;
      words[2 * k] = n >>> 0;
      words[2 * k + 1] = Math.floor(n / 2 ** 32);
    }
    duckdb.copy_data_to_vector(vector, 0, words.buffer, 0, count * 8);
  };
}

/** A UBIGINT column given as the high and low 32-bit words of each row. */
export function uint64Column(words: (row: number) => [number, number]): ColumnWriter {
  const out = new Uint32Array(2 * VECTOR_SIZE);
  return (vector, start, count) => {
    for (let k = 0; k < count; k++) {
      const [hi, lo] = words(start + k);
      out[2 * k] = lo;
      out[2 * k + 1] = hi;
    }
    duckdb.copy_data_to_vector(vector, 0, out.buffer, 0, count * 8);
  };
}

/** A VARCHAR column, one string per row. */
export function stringColumn(value: (row: number) => string): ColumnWriter {
  return (vector, start, count) => {
    for (let k = 0; k < count; k++) duckdb.vector_assign_string_element(vector, k, value(start + k));
  };
}

/** Validity mask of one chunk: bit k set when row k is not NULL. */
class Validity {
  private readonly words = new BigUint64Array(VECTOR_SIZE / 64);
  readonly bytes = new Uint8Array(this.words.buffer);

  clear(): void {
    this.words.fill(0n);
  }

  setValid(k: number): void {
    this.bytes[k >> 3] |= 1 << (k & 7);
  }

  copyTo(vector: duckdb.Vector, count: number): void {
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, this.words.buffer, 0, Math.ceil(count / 64) * 8);
  }
}

/** A column of NULLs, whatever its type. */
export function nullColumn(): ColumnWriter {
  const validity = new Validity();
  return (vector, _start, count) => validity.copyTo(vector, count);
}

const ENUM_ARRAYS = {
  [duckdb.Type.UTINYINT]: Uint8Array,
  [duckdb.Type.USMALLINT]: Uint16Array,
  [duckdb.Type.UINTEGER]: Uint32Array,
} as const;

/**
 * An ENUM column from dictionary codes where code c > 0 is enum member c - 1 and code 0
 * (the empty string) is NULL. The member width (1, 2 or 4 bytes) follows the vector's type.
 */
export function enumColumn(codes: Uint32Array): ColumnWriter {
  const validity = new Validity();
  let members: Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | undefined;
  return (vector, start, count) => {
    if (!members) {
      const internal = duckdb.enum_internal_type(duckdb.vector_get_column_type(vector));
      const ArrayType = ENUM_ARRAYS[internal as keyof typeof ENUM_ARRAYS];
      if (!ArrayType) throw new TypeError(`unexpected ENUM storage type ${internal}`);
      members = new ArrayType(VECTOR_SIZE);
    }
    validity.clear();
    for (let k = 0; k < count; k++) {
      const code = codes[start + k];
      if (code !== 0) {
        members[k] = code - 1;
        validity.setValid(k);
      }
    }
    duckdb.copy_data_to_vector(vector, 0, members.buffer, 0, count * members.BYTES_PER_ELEMENT);
    validity.copyTo(vector, count);
  };
}

/** A BOOLEAN column from bytes 0/1, NULL where the byte is `nullValue`. */
export function booleanColumn(values: Uint8Array, nullValue: number): ColumnWriter {
  const validity = new Validity();
  const bytes = new Uint8Array(VECTOR_SIZE);
  return (vector, start, count) => {
    validity.clear();
    for (let k = 0; k < count; k++) {
      const v = values[start + k];
      if (v !== nullValue) {
        bytes[k] = v;
        validity.setValid(k);
      } else {
        bytes[k] = 0;
      }
    }
    duckdb.copy_data_to_vector(vector, 0, bytes.buffer, 0, count);
    validity.copyTo(vector, count);
  };
}
