import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  parseBandwidth,
  parseBytes,
  parseDuration,
  UnitParseError,
} from '../../src/common/units.js';

test('formatBytes uses decimal SI with three significant digits', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1000), '1 kB');
  assert.equal(formatBytes(1_900_000_000), '1.9 GB');
  assert.equal(formatBytes(1_234_567_890), '1.23 GB');
  assert.equal(formatBytes(123_456_789_012), '123 GB');
  assert.equal(formatBytes(2.5e15), '2.5 PB');
  assert.equal(formatBytes(-3e9), '-3 GB');
});

test('formatBytes rounds up into the next unit instead of printing 1000', () => {
  assert.equal(formatBytes(999_700_000), '1 GB');
  assert.equal(formatBytes(999.7), '1 kB');
});

test('formatBytes names the unbounded cache and bad numbers', () => {
  assert.equal(formatBytes(Number.POSITIVE_INFINITY), 'inf');
  assert.equal(formatBytes(Number.NaN), 'n/a');
});

test('formatCount prefixes large counts', () => {
  assert.equal(formatCount(950), '950');
  assert.equal(formatCount(12_345), '12.3 k');
  assert.equal(formatCount(1_200_000), '1.2 M');
  assert.equal(formatCount(3e9), '3 G');
});

test('formatPercent', () => {
  assert.equal(formatPercent(0), '0.0%');
  assert.equal(formatPercent(0.4567), '45.7%');
  assert.equal(formatPercent(1), '100.0%');
  assert.equal(formatPercent(0.12345, 2), '12.35%');
  assert.equal(formatPercent(Number.NaN), 'n/a');
});

test('formatDuration picks the largest unit that fits', () => {
  assert.equal(formatDuration(45), '45 s');
  assert.equal(formatDuration(1800), '30 min');
  assert.equal(formatDuration(6 * 3600), '6 hours');
  assert.equal(formatDuration(431_136), '4.99 days');
  assert.equal(formatDuration(365 * 86_400), '365 days');
  assert.equal(formatDuration(0), '0 s');
});

test('parseBytes reads decimal and binary units', () => {
  assert.equal(parseBytes('100GB'), 100e9);
  assert.equal(parseBytes('2TB'), 2e12);
  assert.equal(parseBytes('1.5TiB'), 1.5 * 1024 ** 4);
  assert.equal(parseBytes('500 MB'), 500e6);
  assert.equal(parseBytes('4096'), 4096);
  assert.equal(parseBytes('1kB'), 1000);
  assert.equal(parseBytes('1KB'), 1000);
  assert.equal(parseBytes('1KiB'), 1024);
  assert.equal(parseBytes('3 PiB'), 3 * 1024 ** 5);
  assert.equal(parseBytes('1e12'), 1e12);
  assert.equal(parseBytes('.5 GB'), 5e8);
  assert.equal(parseBytes(' 10 B '), 10);
});

test('parseBytes rejects bad text with a typed error that names it', () => {
  for (const bad of [
    '',
    'GB',
    'ten GB',
    '10 Gb',
    '10 XB',
    '10 iB',
    '-5GB',
    '1.5.5GB',
    '10 GB extra',
    '1e400',
  ]) {
    assert.throws(
      () => parseBytes(bad),
      (err: unknown) => err instanceof UnitParseError && err instanceof RangeError && err.text === bad,
      bad,
    );
  }
  assert.throws(() => parseBytes('12 parsecs'), /"12 parsecs"/);
});

test('parseBandwidth reads bit and byte rates as bytes per second', () => {
  assert.equal(parseBandwidth('10Gbit'), 1.25e9);
  assert.equal(parseBandwidth('10Gbps'), 1.25e9);
  assert.equal(parseBandwidth('10 Gbit/s'), 1.25e9);
  assert.equal(parseBandwidth('100Mbit'), 12.5e6);
  assert.equal(parseBandwidth('1.25GB/s'), 1.25e9);
  assert.equal(parseBandwidth('1 MiB/s'), 1024 ** 2);
  assert.equal(parseBandwidth('2000'), 2000);
});

test('parseBandwidth rejects sizes and unknown units', () => {
  for (const bad of ['10GB', '10 Gbit/h', 'fast', '10 Xbit']) {
    assert.throws(
      () => parseBandwidth(bad),
      (err: unknown) => err instanceof UnitParseError && err.kind === 'bandwidth',
    );
  }
});

test('parseDuration reads milliseconds, seconds, minutes, hours, days and weeks', () => {
  assert.equal(parseDuration('250ms'), 0.25);
  assert.equal(parseDuration('3600'), 3600);
  assert.equal(parseDuration('90s'), 90);
  assert.equal(parseDuration('30m'), 1800);
  assert.equal(parseDuration('6h'), 21_600);
  assert.equal(parseDuration('1d'), 86_400);
  assert.equal(parseDuration('1.5d'), 129_600);
  assert.equal(parseDuration('1w'), 604_800);
});

test('parseDuration rejects bad text', () => {
  for (const bad of ['', 'd', '1y', '1 day', '-1h', 'constructor']) {
    assert.throws(
      () => parseDuration(bad),
      (err: unknown) => err instanceof UnitParseError && err.text === bad,
    );
  }
});
