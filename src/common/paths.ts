/** File paths as the cluster and the cache node key them: decoded, normalised, and never escaping the root. */

export class PathError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`bad file path "${path}": ${reason}`);
    this.name = 'PathError';
  }
}

/**
 * A path that is its own canonical form: `/`-led segments of characters that decode to
 * themselves (no `%`, NUL or backslash), none of them `.` or `..`. Most requests are, and skip
 * the decoding and splitting.
 */
const CANONICAL = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~!$&'()*+,;=:@]+)+$/;

/** Paths that `encodePath` leaves as they are: only characters encodeURIComponent keeps, and `/`. */
const NEEDS_NO_ENCODING = /^[A-Za-z0-9\-_.!~*'()/]*$/;

/**
 * The canonical form of a request path: percent-decoded once, duplicate slashes folded, and
 * refused when a segment is `..` or `.` (in any encoding) or holds a NUL or a backslash.
 */
export function filePath(rawPath: string): string {
  const query = rawPath.indexOf('?');
  const pathOnly = query < 0 ? rawPath : rawPath.slice(0, query);
  if (CANONICAL.test(pathOnly)) return pathOnly;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathOnly);
  } catch {
    throw new PathError(rawPath, 'invalid percent-encoding');
  }
  if (/[\0\\]/.test(decoded)) throw new PathError(rawPath, 'NUL or backslash');
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.'))
    throw new PathError(rawPath, 'dot segments are not allowed');
  if (segments.length === 0) throw new PathError(rawPath, 'no file named');
  return `/${segments.join('/')}`;
}

/** A canonical file path percent-encoded segment by segment, ready to follow a base URL. */
export function encodePath(path: string): string {
  if (NEEDS_NO_ENCODING.test(path)) return path;
  return path.split('/').map(encodeURIComponent).join('/');
}

/** The URL of an encoded path (from `encodePath`) under a server's base URL. */
export function joinUrl(base: string, encodedPath: string): string {
  let end = base.length;
  while (end > 0 && base.charCodeAt(end - 1) === 0x2f) end--;
  return `${end === base.length ? base : base.slice(0, end)}${encodedPath}`;
}

/** The URL of a canonical file path under a server's base URL. */
export function fileUrl(base: string, path: string): string {
  return joinUrl(base, encodePath(path));
}
