/** The trace-input options every command that reads a trace shares, and loading with progress. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseColumnMap } from '../trace/formats/csv.js';
import type { CsvColumnMap } from '../trace/formats/format.js';
import { describeOutOfOrder } from '../trace/order.js';
import { FORMATS, type FormatName, isFormatName, type ReadResult, readTrace } from '../trace/read.js';
import { countArgument } from './arguments.js';
import { type Progress, progressBar } from './progress.js';

export interface TraceInputOptions {
  /** input format, from `--format` (or `--from` in `convert`) */
  format?: FormatName;
  from?: FormatName;
  map?: CsvColumnMap;
  csvParams?: string;
  skipBad: number;
  onlySuccessful?: boolean;
  recomputeNext?: boolean;
}

export function formatArgument(value: string): FormatName {
  if (!isFormatName(value)) {
    throw new InvalidArgumentError(`unknown format; one of ${FORMATS.map((f) => f.name).join(', ')}`);
  }
  return value;
}

function mapArgument(value: string): CsvColumnMap {
  try {
    return parseColumnMap(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Adds the input options; `formatFlag` lets `convert` call the format option `--from`. */
export function addTraceInputOptions(cmd: Command, formatFlag = '-f, --format <name>'): Command {
  return cmd
    .addOption(new Option(formatFlag, 'input format (default: detected)').argParser(formatArgument))
    .option(
      '--map <columns>',
      'csv input columns: time=COL,id=COL,size=COL[,site=,user=,dataset=,op=,bytesRead=]',
      mapArgument,
    )
    .option('--csv-params <params>', 'libcachesim-csv reader parameters, as for libCacheSim cachesim -t')
    .option('--skip-bad <n>', 'skip up to N bad records (each reported), fail on the next', countArgument, 0)
    .option('--only-successful', 'cms: keep only successful jobs (JobSuccess and exit code 0)')
    .option(
      '--recompute-next',
      "oracle-general: ignore the file's next-access values (checked otherwise) and recompute them",
    );
}

/** Reads a trace with a progress bar and reports skipped bad records and sorting on stderr. */
export async function loadTrace(file: string, opts: TraceInputOptions): Promise<ReadResult> {
  let bar: Progress | undefined;
  let reported = 0;
  const result = await readTrace(file, {
    format: opts.format ?? opts.from,
    map: opts.map,
    csvParams: opts.csvParams,
    skipBad: opts.skipBad,
    onlySuccessful: opts.onlySuccessful,
    recomputeNext: opts.recomputeNext,
    onProgress: (done, total) => {
      bar ??= progressBar('reading', total, 'bytes');
      bar.tick(done - reported);
      reported = done;
    },
  });
  bar?.stop();
  for (const bad of result.skipped) process.stderr.write(`skipped: ${bad.message}\n`);
  if (result.firstOutOfOrder) {
    process.stderr.write(
      `sorted ${file} by time: ${describeOutOfOrder(result.outOfOrder, result.firstOutOfOrder)}\n`,
    );
  }
  return result;
}
