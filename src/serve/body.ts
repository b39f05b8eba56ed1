/**
 * What a request body may be. Each route declares the media types it takes (its schema's
 * `consumes`); another type is a 415. A gzip Content-Encoding is decoded, within the route's
 * body limit (which counts decoded bytes: a gzip bomb is a 413); another encoding is a 415, and
 * a body that does not decode as it says is a 400. JSON bodies are validated without type
 * coercion: `"1"`, `true`, `null` or `[1]` where a number belongs is a 400, not a number.
 */
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Ajv, type Options } from 'ajv';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteSchema } from './context.js';
import { HttpError } from './errors.js';

/** fastify's own validator options; only bodies lose the coercion query strings need. */
const AJV_OPTIONS: Options = { useDefaults: true, removeAdditional: true, allErrors: false };

/** The body's media type without parameters, lower-case; '' when the header is absent. */
function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The body decoded from gzip; what fastify counts against the body limit is the decoded length. */
function gunzipped(payload: Readable): Readable {
  const decoded = new PassThrough() as PassThrough & { receivedEncodedLength: number };
  decoded.receivedEncodedLength = 0;
  const gunzip = createGunzip();
  payload.on('data', (chunk: Buffer) => {
    decoded.receivedEncodedLength += chunk.length;
  });
  payload.on('error', (err) => decoded.destroy(err));
  gunzip.on('error', (err) => {
    decoded.destroy(
      new HttpError(400, `the body does not decode as gzip, as its Content-Encoding says: ${err.message}`),
    );
  });
  payload.pipe(gunzip).pipe(decoded);
  return decoded;
}

/** Installs body validation without coercion and the media type and encoding checks on `app`. */
export function guardBodies(app: FastifyInstance): void {
  const strict = new Ajv({ ...AJV_OPTIONS, coerceTypes: false });
  const coercing = new Ajv({ ...AJV_OPTIONS, coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema),
  );

  app.addHook('preParsing', async (request, _reply, payload) => {
    if (!hasBody(request)) return payload;
    const type = mediaType(request);
    const consumes = (request.routeOptions.schema as RouteSchema | undefined)?.consumes;
    if (consumes && !consumes.includes(type)) {
      throw new HttpError(
        415,
        `${request.method} ${request.routeOptions.url} takes ${consumes.join(' or ')}, not ${type || 'a body without Content-Type'}`,
      );
    }
    const encoding = String(request.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    if (encoding === 'identity') return payload;
    if (encoding !== 'gzip') {
      throw new HttpError(
        415,
        `Content-Encoding ${encoding} is not supported: send the body gzip or uncompressed`,
      );
    }
    if (type === 'multipart/form-data') {
      throw new HttpError(415, 'a multipart form is read as sent: send it without Content-Encoding');
    }
    return gunzipped(payload);
  });
}
