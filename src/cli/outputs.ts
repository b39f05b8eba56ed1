/** Report files a command can write beside its stdout output: HTML, PNG plots, CSV time series. */
import { mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import type { LakeReportMeta } from '../cluster/lake-report.js';
import type { LakeResult } from '../cluster/lake-sim.js';
import { writeFileAtomic } from '../common/atomic.js';
import type { GapRow } from '../report/gap.js';
import type { TraceSummary } from '../report/html.js';
import { windowsCsv } from '../report/table.js';
import type { SimResult } from '../sim/metrics.js';
import { type Trace, uniqueBytes } from '../trace/model.js';

export interface ReportOutputs {
  out?: string;
  png?: string;
  csv?: string;
}

export function addReportOutputs(cmd: Command): Command {
  return cmd
    .option('-o, --out <file>', 'write a self-contained HTML report with plots')
    .option('--png <dir>', 'write the report plots as PNG images into dir')
    .option('--csv <file>', 'write the per-window time series of every run as CSV');
}

/** What a report says of the trace it replayed, named `name`. */
export function traceSummary(trace: Trace, name: string): TraceSummary {
  return {
    name,
    requests: trace.length,
    objects: trace.objectCount,
    uniqueBytes: uniqueBytes(trace),
    span: trace.length > 0 ? trace.time[trace.length - 1] - trace.time[0] : 0,
  };
}

export async function writeReports(
  results: SimResult[],
  trace: TraceSummary,
  outputs: ReportOutputs,
  meta: { title: string; command: string; gap?: readonly GapRow[] },
): Promise<void> {
  if (outputs.out) {
    const { renderHtmlReport } = await import('../report/html.js');
    const html = renderHtmlReport(results, {
      title: meta.title,
      trace,
      generatedAt: new Date(),
      command: meta.command,
      gap: meta.gap,
    });
    await writeFileAtomic(outputs.out, html);
    process.stderr.write(`wrote ${outputs.out}\n`);
  }
  if (outputs.png) {
    const { writePngPlots } = await import('../report/png.js');
    await mkdir(outputs.png, { recursive: true });
    const files = await writePngPlots(results, outputs.png, meta.gap);
    process.stderr.write(`wrote ${files.length} plots to ${outputs.png}\n`);
  }
  if (outputs.csv) {
    await writeFileAtomic(outputs.csv, windowsCsv(results));
    process.stderr.write(`wrote ${outputs.csv}\n`);
  }
}

/** The same outputs for a data-lake simulation: its HTML report, its plots, its per-site time series. */
export async function writeLakeReports(
  result: LakeResult,
  outputs: ReportOutputs,
  meta: LakeReportMeta,
): Promise<void> {
  if (outputs.out) {
    const { renderLakeReport } = await import('../cluster/lake-report.js');
    await writeFileAtomic(outputs.out, renderLakeReport(result, meta));
    process.stderr.write(`wrote ${outputs.out}\n`);
  }
  if (outputs.png) {
    const [{ writePngFiles }, { lakePlots }] = await Promise.all([
      import('../report/png.js'),
      import('../cluster/lake-report.js'),
    ]);
    const files = await writePngFiles(lakePlots(result), outputs.png);
    process.stderr.write(`wrote ${files.length} plots to ${outputs.png}\n`);
  }
  if (outputs.csv) {
    const { lakeWindowsCsv } = await import('../cluster/lake-table.js');
    await writeFileAtomic(outputs.csv, lakeWindowsCsv(result));
    process.stderr.write(`wrote ${outputs.csv}\n`);
  }
}
