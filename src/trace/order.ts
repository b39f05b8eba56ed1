/**
 * The one ordering rule of every reader: a trace is replayed in time order. Records may come
 * in another order (job records per job, monitoring streams in close order), so each reader
 * notes every request's time here; readTrace then sorts the trace stably and reports how many
 * requests went back in time and where the first one was, never silently.
 */

/** Where a record sits: a 1-based line of a text file or a byte offset of a binary one. */
export type RecordPlace = 'line' | 'offset';

/** The first request that was earlier than one before it. */
export interface FirstOutOfOrder {
  place: RecordPlace;
  at: number;
  time: number;
  /** the latest time before it */
  after: number;
}

export class TimeOrder {
  /** requests earlier than a request before them */
  outOfOrder = 0;
  first: FirstOutOfOrder | undefined;
  private latest = Number.NEGATIVE_INFINITY;

  /** Notes the time of the next request, at line or byte `at` of the file. */
  note(time: number, place: RecordPlace, at: number): void {
    if (time >= this.latest) {
      this.latest = time;
      return;
    }
    this.outOfOrder++;
    this.first ??= { place, at, time, after: this.latest };
  }
}

/** `requests were out of order (the first at line 9: time 5 after 7)`, for the sorting notice. */
export function describeOutOfOrder(outOfOrder: number, first: FirstOutOfOrder): string {
  const where = first.place === 'line' ? `line ${first.at}` : `byte ${first.at}`;
  return `${outOfOrder} requests were out of order (the first at ${where}: time ${first.time} after ${first.after})`;
}
