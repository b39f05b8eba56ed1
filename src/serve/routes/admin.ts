/**
 * Admin routes, behind the admin bearer token: POST /upload and /bundle (TFaaS multipart form
 * or a tar/tar.gz bundle), POST /params (set the default model), DELETE /delete.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import multipart, { type Multipart } from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { BundleError, PARAMS_FILE } from '../../learn/bundle.js';
import { unpackBundle } from '../archive.js';
import { errorSchema, type RouteSchema, type RoutesOptions, requireToken } from '../context.js';
import { HttpError, statusOf } from '../errors.js';
import type { ModelRegistry } from '../registry.js';

const MAX_ARCHIVE_ENTRIES = 64;

const installedSchema = {
  type: 'object',
  properties: { model: { type: 'string' }, version: { type: 'integer' }, engine: { type: 'string' } },
} as const;

const uploadSchema: RouteSchema = {
  summary:
    'upload a model: multipart form (name, params, model, labels, other bundle files) or a tar/tar.gz bundle body',
  consumes: ['multipart/form-data', 'application/octet-stream'],
  response: { 200: installedSchema, '4xx': errorSchema },
};

const modelRefSchema = {
  type: 'object',
  properties: {
    model: { type: 'string', description: 'name or name@version' },
    name: { type: 'string', description: 'TFaaS spelling of model' },
    version: {
      description: 'an integer >= 1, or its digits (a form field)',
      anyOf: [
        { type: 'integer', minimum: 1 },
        { type: 'string', pattern: '^[1-9][0-9]*$' },
      ],
    },
  },
} as const;

/** The bodies that may name a model: JSON, a urlencoded form or a multipart form. */
const MODEL_REF_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];

const setDefaultSchema: RouteSchema = {
  summary: 'set the default model (and optionally its default version)',
  consumes: MODEL_REF_TYPES,
  body: modelRefSchema,
  response: {
    200: { type: 'object', properties: { model: { type: 'string' }, version: { type: 'integer' } } },
    '4xx': errorSchema,
  },
};

const deletedSchema = {
  200: { type: 'object', properties: { deleted: { type: 'string' } } },
  '4xx': errorSchema,
} as const;

const deleteSchema: RouteSchema = {
  summary: 'delete a model (every version) or one version (name@version)',
  params: { type: 'object', properties: { model: { type: 'string' } } },
  response: deletedSchema,
};

const deleteFormSchema: RouteSchema = {
  summary: 'delete a model or one version named in a form or JSON body (model or name, and version)',
  consumes: MODEL_REF_TYPES,
  response: deletedSchema,
};

/** Uploaded file name for a form field: the TFaaS fields get their params.json names, others keep theirs. */
function safeFileName(name: string | undefined, field: string): string {
  const base = path.basename(name || field);
  if (base === '' || base.startsWith('.'))
    throw new HttpError(400, `form file ${field} has no usable file name`);
  return base;
}

/** A multipart parser's error (truncated body, no boundary) is the client's form, not a fault of the service. */
function malformedForm(err: unknown): never {
  if (statusOf(err) < 500) throw err;
  throw new HttpError(400, `multipart form: ${(err as Error).message}`);
}

/** The parts of a multipart body, a malformed body refused with 400. */
async function* formParts(request: FastifyRequest): AsyncGenerator<Multipart> {
  try {
    for await (const part of request.parts()) yield part;
  } catch (err) {
    malformedForm(err);
  }
}

/** Saves a TFaaS multipart upload into `dir`; answers the form's name field. */
async function saveForm(request: FastifyRequest, dir: string): Promise<string> {
  const fields: Record<string, string> = {};
  const saved = new Map<string, string>();
  for await (const part of formParts(request)) {
    if (part.type === 'field') {
      fields[part.fieldname] = String(part.value);
      continue;
    }
    const file = part.fieldname === 'params' ? PARAMS_FILE : safeFileName(part.filename, part.fieldname);
    await writeFile(path.join(dir, file), await part.toBuffer().catch(malformedForm));
    saved.set(part.fieldname, file);
  }
  if (!fields.name) throw new HttpError(400, 'the form field name is required');
  if (!saved.has('params')) throw new HttpError(400, 'the form file params (params.json) is required');
  const params = await readUploadedParams(dir);
  for (const field of ['model', 'labels'] as const) {
    const uploaded = saved.get(field);
    const wanted = params[field];
    if (!uploaded) throw new HttpError(400, `the form file ${field} is required`);
    if (typeof wanted === 'string' && path.basename(wanted) === wanted && uploaded !== wanted) {
      await rename(path.join(dir, uploaded), path.join(dir, wanted));
    }
  }
  return fields.name;
}

async function readUploadedParams(dir: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path.join(dir, PARAMS_FILE), 'utf8'));
  } catch (err) {
    throw new BundleError('upload', PARAMS_FILE, `not valid JSON: ${(err as Error).message}`);
  }
}

async function install(registry: ModelRegistry, request: FastifyRequest, maxBytes: number) {
  const staging = await registry.stagingDir();
  let name: string | undefined;
  try {
    if (request.isMultipart()) name = await saveForm(request, staging);
    else if (Buffer.isBuffer(request.body)) {
      await unpackBundle(request.body, staging, { maxBytes, maxEntries: MAX_ARCHIVE_ENTRIES });
    } else {
      throw new HttpError(
        415,
        'send a multipart form (name, params, model, labels) or a tar/tar.gz bundle as application/octet-stream',
      );
    }
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  const entry = await registry.install(staging, name);
  return { model: entry.name, version: entry.version, engine: entry.model.engine };
}

interface ModelRef {
  name: string;
  version?: number;
}

/** `name` or `name@version`, with an optional version given apart; `where` says where the client put it. */
function parseModelRef(ref: string, versionField: unknown, where: string): ModelRef {
  const [name, at] = ref.split('@', 2);
  if (!name) throw new HttpError(400, `name the model ${where} (name or name@version)`);
  const versionText = versionField ?? at;
  const version = versionText === undefined ? undefined : Number(versionText);
  if (version !== undefined && !(Number.isInteger(version) && version >= 1)) {
    throw new HttpError(400, `version ${versionText} is not a positive integer`);
  }
  return { name, version };
}

/** A model reference from a JSON, urlencoded or multipart body: `model` or TFaaS's `name`. */
async function modelRef(request: FastifyRequest): Promise<ModelRef> {
  let fields: Record<string, unknown> = (request.body as Record<string, unknown>) ?? {};
  if (request.isMultipart()) {
    fields = {};
    for await (const part of formParts(request))
      if (part.type === 'field') fields[part.fieldname] = part.value;
  }
  return parseModelRef(String(fields.model ?? fields.name ?? ''), fields.version, 'in the field model');
}

export const adminRoutes: FastifyPluginAsync<RoutesOptions> = async (app, { ctx }) => {
  const { registry, settings } = ctx;
  app.addHook(
    'onRequest',
    requireToken(
      [settings.adminToken],
      'admin routes are disabled: start the service with --admin-token or SMARTCACHE_ADMIN_TOKEN',
    ),
  );
  await app.register(multipart, {
    limits: { fileSize: settings.maxUploadBytes, files: 16, fields: 16, parts: 32 },
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  const upload = { schema: uploadSchema, bodyLimit: settings.maxUploadBytes };
  const handler = (request: FastifyRequest) => install(registry, request, settings.maxUploadBytes);
  app.post('/upload', upload, handler);
  app.post('/bundle', upload, handler);

  app.post('/params', { schema: setDefaultSchema }, async (request) => {
    const { name, version } = await modelRef(request);
    await registry.setDefault(name, version);
    return { model: name, version: registry.defaultVersion(name) };
  });

  app.delete('/delete/:model', { schema: deleteSchema }, async (request) => {
    const ref = (request.params as { model: string }).model;
    const { name, version } = parseModelRef(ref, undefined, 'in the path: DELETE /delete/NAME');
    await registry.remove(name, version);
    return { deleted: ref };
  });
  app.delete('/delete', { schema: deleteFormSchema }, async (request) => {
    const { name, version } = await modelRef(request);
    await registry.remove(name, version);
    return { deleted: version === undefined ? name : `${name}@${version}` };
  });
};
