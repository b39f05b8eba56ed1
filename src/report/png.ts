/**
 * Static PNGs of the report plots, rendered without a browser: Vega-Lite compiles to
 * Vega, a headless Vega view draws SVG, and resvg rasterises it with system fonts.
 * Interactive params keep their default value, so a menu-driven plot shows its first
 * choice.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { SimResult } from '../sim/metrics.js';
import type { GapRow } from './gap.js';
import { type ReportPlot, reportPlots } from './plots.js';

/** Pixels per CSS pixel of the spec, for sharp text on slides and high-density screens. */
const SCALE = 2;

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: SCALE },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** Writes one PNG per report plot into `dir` (created if missing); returns the file paths. */
export function writePngPlots(
  results: readonly SimResult[],
  dir: string,
  gap?: readonly GapRow[],
): Promise<string[]> {
  return writePngFiles(reportPlots(results, gap), dir);
}

/** Writes one PNG per plot, named after the plot, into `dir` (created if missing). */
export async function writePngFiles(plots: readonly ReportPlot[], dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const plot of plots) {
    const path = join(dir, `${plot.name}.png`);
    await writeFile(path, svgToPng(await renderSvg(plot.spec)));
    paths.push(path);
  }
  return paths;
}
