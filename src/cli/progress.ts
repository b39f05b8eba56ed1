/** Progress bars on stderr, shown only when stderr is a terminal (never in pipes or CI logs). */
import { createRequire } from 'node:module';

/** Loaded only when a bar is shown, so runs in pipes and CI do not pay for it at start-up. */
const requireCjs = createRequire(import.meta.url);

export interface Progress {
  /** advances by `delta` units */
  tick(delta: number): void;
  stop(): void;
}

const silent: Progress = { tick: () => {}, stop: () => {} };

export function progressBar(label: string, total: number, unit: string): Progress {
  if (!process.stderr.isTTY || total <= 0) return silent;
  const cliProgress: typeof import('cli-progress') = requireCjs('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label.padEnd(12)} {bar} {percentage}% | {value}/{total} ${unit} | {duration_formatted} elapsed, eta {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
      formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? compact(v) : String(v)),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let value = 0;
  return {
    tick: (delta) => {
      value += delta;
      bar.update(Math.min(value, total));
    },
    stop: () => bar.stop(),
  };
}

function compact(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(1)}G`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return String(Math.round(v));
}
