/** The trace-input options every command that reads a trace shares, and loading with progress. */
import { type Command, Option } from 'commander';
import { type FormatName, FORMATS, type ReadResult, readTrace } from '../trace/read.js';
import { type Progress, progressBar } from './progress.js';

export interface TraceInputOptions {
  format?: FormatName;
  map?: string;
  csvParams?: string;
  skipBad?: string;
  onlySuccessful?: boolean;
}

export function addTraceInputOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <name>', 'input format (detected when omitted)').choices(FORMATS.map((f) => f.name)))
    .option('--map <mapping>', 'csv column mapping, e.g. time=ts,id=filename,size=bytes')
    .option('--csv-params <params>', 'libCacheSim csv params, e.g. "time-col=2,obj-id-col=5,obj-size-col=4,has-header=true"')
    .option('--skip-bad <n>', 'tolerate up to n bad input lines (each is reported)', '0')
    .option('--only-successful', 'cms: keep only successful jobs (JobSuccess and exit code 0)');
}

/** Reads a trace with a progress bar and reports skipped bad lines on stderr. */
export async function loadTrace(file: string, opts: TraceInputOptions): Promise<ReadResult> {
  let bar: Progress | undefined;
  let reported = 0;
  const result = await readTrace(file, {
    format: opts.format,
    map: opts.map,
    csvParams: opts.csvParams,
    skipBad: Number(opts.skipBad ?? 0),
    onlySuccessful: opts.onlySuccessful,
    onProgress: (done, total) => {
      bar ??= progressBar('reading', total, 'bytes');
      bar.tick(done - reported);
      reported = done;
    },
  });
  bar?.stop();
  for (const bad of result.skipped) process.stderr.write(`skipped: ${bad.message}\n`);
  return result;
}
