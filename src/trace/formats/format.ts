/** The contract every trace format module implements. */
import type { Writable } from 'node:stream';
import type { BadInputBudget } from '../errors.js';
import type { Trace } from '../model.js';
import type { TimeOrder } from '../order.js';

/** Names of header columns for the generic `csv` format (from `--map time=ts,id=filename,...`). */
export interface CsvColumnMap {
  time: string;
  id: string;
  size: string;
  site?: string;
  user?: string;
  dataset?: string;
  op?: string;
  bytesRead?: string;
}

/** What a reader gets besides the bytes: where they come from and the caller's options. */
export interface ReadContext {
  readonly file: string;
  readonly budget: BadInputBudget;
  /** every request's time goes through it, in input order */
  readonly order: TimeOrder;
  readonly map?: CsvColumnMap;
  /** libCacheSim-style csv parameters, e.g. `time-col=2, obj-id-col=5, obj-size-col=4` */
  readonly csvParams?: string;
  readonly onlySuccessful?: boolean;
  /** oracle-general: ignore the file's next-access values; they are recomputed from the requests */
  readonly recomputeNext?: boolean;
  /** bytes of (decompressed) content when known in advance, to size buffers once */
  readonly contentBytes?: number;
  /** this is the second reading of the file, after the first threw ReadAgain */
  readonly again?: boolean;
}

/**
 * Thrown by a reader whose fast first reading met input it cannot take that way (oracleGeneral
 * links it could not trust): the file is read once more with `again` set. Not an input error.
 */
export class ReadAgain extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ReadAgain';
  }
}

export interface TraceFormat {
  readonly description: string;
  read(chunks: AsyncIterable<Uint8Array>, context: ReadContext): Promise<Trace>;
  write(trace: Trace, out: Writable): Promise<void>;
  /** Recognises the format from the first non-blank line of a text file (auto-detection). */
  sniff?(firstLine: string): boolean;
}
