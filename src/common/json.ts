/** JSON text for results: JSON has no Infinity or bigint, so they are written as strings and no value is lost. */

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/** Pretty JSON (two-space indent) with Infinity, -Infinity and NaN as strings, bigints as digits. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, replacer, 2);
}

/** Parses JSON written by `jsonText`, turning "Infinity" back into a number under the keys named. */
export function parseJsonText(text: string, infiniteKeys: ReadonlySet<string>): unknown {
  return JSON.parse(text, (key, value) =>
    infiniteKeys.has(key) && (value === 'Infinity' || value === '-Infinity') ? Number(value) : value,
  );
}
