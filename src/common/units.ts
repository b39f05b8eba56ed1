/**
 * Human units for sizes, rates, durations and counts: formatting for reports and
 * parsing for command-line options. Sizes use decimal SI (kB = 1000 B) unless the
 * unit says binary (KiB = 1024 B), as storage vendors and WLCG pledges do.
 */

import { DAY, HOUR, MINUTE } from './time.js';

export type UnitKind = 'size' | 'bandwidth' | 'duration';

const EXAMPLES: Record<UnitKind, string> = {
  size: '100GB, 1.5TiB, 500 MB or a number of bytes',
  bandwidth: '10Gbit, 10Gbps, 100Mbit, 1.25GB/s or a number of bytes per second',
  duration: '500ms, 30m, 6h, 1d, 1w or a number of seconds',
};

/** Text that cannot be read as a size, bandwidth or duration. */
export class UnitParseError extends RangeError {
  constructor(
    readonly text: string,
    readonly kind: UnitKind,
  ) {
    super(`cannot read "${text}" as a ${kind}; expected e.g. ${EXAMPLES[kind]}`);
    this.name = 'UnitParseError';
  }
}

const SI_PREFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** Rounds to three significant digits and trims trailing zeros: 1.9, 12.3, 123. */
function significant(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** Scales `value` by powers of 1000 and appends the SI prefix, e.g. (1.23e9, 'B') -> '1.23 GB'. */
function formatSi(value: number, unit: string): string {
  if (Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const sign = value < 0 ? '-' : '';
  let scaled = Math.abs(value);
  let prefix = 0;
  // Compare after rounding so that 999.7 MB becomes 1 GB rather than 1000 MB.
  while (Number(scaled.toPrecision(3)) >= 1000 && prefix < SI_PREFIXES.length - 1) {
    scaled /= 1000;
    prefix++;
  }
  const digits = prefix === 0 ? String(Math.round(scaled)) : significant(scaled);
  const separator = unit === '' && prefix === 0 ? '' : ' ';
  return `${sign}${digits}${separator}${SI_PREFIXES[prefix]}${unit}`;
}

/** Bytes in decimal SI with three significant digits: '512 B', '1.9 GB', '120 TB'; 'inf' for Infinity. */
export function formatBytes(bytes: number): string {
  return formatSi(bytes, 'B');
}

/** Counts with an SI prefix: '950', '12.3 k', '1.2 M'. */
export function formatCount(count: number): string {
  return formatSi(count, '');
}

/** A ratio in [0, 1] as a percentage: 0.4567 -> '45.7%'. */
export function formatPercent(ratio: number, decimals = 1): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return `${(ratio * 100).toFixed(decimals)}%`;
}

const DURATION_UNITS: [seconds: number, unit: string][] = [
  [DAY, 'days'],
  [HOUR, 'hours'],
  [MINUTE, 'min'],
];

/** Seconds as the largest fitting unit with three significant digits: '4.99 days', '6 hours', '45 s'. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'n/a';
  const [length, unit] = DURATION_UNITS.find(([length]) => Math.abs(seconds) >= length) ?? [1, 's'];
  return `${significant(seconds / length)} ${unit}`;
}

const NUMBER = String.raw`(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?`;

/** Splits '1.5 TiB' into 1.5 and 'TiB'; undefined when the text does not start with a number. */
function splitQuantity(text: string): { value: number; unit: string } | undefined {
  const match = new RegExp(`^\\s*(${NUMBER})\\s*(\\S*)\\s*$`).exec(text);
  if (!match) return undefined;
  return { value: Number(match[1]), unit: match[4] };
}

function parseWithUnits(text: string, kind: UnitKind, factor: (unit: string) => number | undefined): number {
  const quantity = splitQuantity(text);
  const multiplier = quantity && factor(quantity.unit);
  if (!quantity || multiplier === undefined) throw new UnitParseError(text, kind);
  const result = quantity.value * multiplier;
  if (!Number.isFinite(result)) throw new UnitParseError(text, kind);
  return result;
}

/** Multiplier of a prefix letter: decimal, or binary when followed by `i` (Ki, Mi, ...). */
function prefixFactor(prefix: string): number | undefined {
  const match = /^([kKMGTP]?)(i?)$/.exec(prefix);
  if (!match) return undefined;
  const power = ['', 'K', 'M', 'G', 'T', 'P'].indexOf(match[1].toUpperCase());
  if (match[2] === 'i') return power === 0 ? undefined : 1024 ** power;
  return 1000 ** power;
}

function sizeFactor(unit: string): number | undefined {
  if (unit === '') return 1;
  // The prefix may be in any case (kB, KB, gib), but a lowercase b would mean bits.
  const match = /^([a-zA-Z]*)B$/.exec(unit);
  if (!match) return undefined;
  return prefixFactor(match[1].toUpperCase().replace(/I$/, 'i'));
}

/** '100GB', '2TB', '1.5TiB', '500 MB', '4096' (bytes) -> bytes, rounded to a whole byte. */
export function parseBytes(text: string): number {
  return Math.round(parseWithUnits(text, 'size', sizeFactor));
}

/** Bits per second are written bit, bit/s, bps or b/s; bytes per second B/s or Bps. */
function bandwidthFactor(unit: string): number | undefined {
  if (unit === '') return 1;
  const match = /^([kKMGTP]i?)?(bit\/s|bit|bps|b\/s|B\/s|Bps)$/.exec(unit);
  if (!match) return undefined;
  const prefix = prefixFactor(match[1] ?? '');
  if (prefix === undefined) return undefined;
  const isBits = match[2].startsWith('b');
  return isBits ? prefix / 8 : prefix;
}

/** '10Gbit', '10Gbps', '100Mbit', '1.25GB/s', '1000' (bytes/s) -> bytes per second. */
export function parseBandwidth(text: string): number {
  return parseWithUnits(text, 'bandwidth', bandwidthFactor);
}

const SECONDS_PER = new Map([
  ['', 1],
  ['ms', 0.001],
  ['s', 1],
  ['m', MINUTE],
  ['min', MINUTE],
  ['h', HOUR],
  ['d', DAY],
  ['w', 7 * DAY],
]);

/** '500ms', '30m', '6h', '1d', '1w', '3600' (seconds) -> seconds. */
export function parseDuration(text: string): number {
  return parseWithUnits(text, 'duration', (unit) => SECONDS_PER.get(unit));
}

/** Seconds since the epoch as ISO-8601 UTC, without milliseconds when they are zero. */
export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
