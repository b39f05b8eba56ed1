/**
 * A strict, offline check of Kubernetes manifests against the API's own types: the interfaces
 * that kubernetes-models generates from the Kubernetes OpenAPI schema (and from the Prometheus
 * Operator's CRDs), read with the TypeScript compiler and walked field by field. The package's
 * validate() checks formats and enums but lets unknown fields pass; the walk refuses them, as
 * `kubectl apply --validate=strict` does, along with wrong types and missing required fields.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../helpers.js';

export interface Manifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
  [field: string]: unknown;
}

/** What is wrong in one manifest, at a field path such as `spec.template.spec.containers[0].image`. */
export interface ManifestProblem {
  /** `Kind/name` */
  manifest: string;
  path: string;
  message: string;
}

/** The module of kubernetes-models that declares an apiVersion's kinds. */
function modelModule(apiVersion: string, kind: string): string {
  if (apiVersion === 'monitoring.coreos.com/v1') {
    return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const label = (m: Manifest) => `${String(m.kind)}/${String(m.metadata?.name)}`;

/** Checks every manifest; answers the problems found (none: all valid). */
export async function checkManifests(manifests: Manifest[]): Promise<ManifestProblem[]> {
  const problems: ManifestProblem[] = [];
  const kinds = new Map<string, string>();
  for (const m of manifests) {
    if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string') {
      problems.push({ manifest: label(m), path: '', message: 'apiVersion and kind must be strings' });
      continue;
    }
    kinds.set(`${m.apiVersion}/${m.kind}`, modelModule(m.apiVersion, m.kind));
  }
  const types = kindTypes(kinds);
  for (const m of manifests) {
    const key = `${String(m.apiVersion)}/${String(m.kind)}`;
    const found = types.get(key);
    if (found === undefined) {
      if (kinds.has(key)) problems.push({ manifest: label(m), path: '', message: `no schema for ${key}` });
      continue;
    }
    for (const { path, message } of walk(found.checker, m, found.type, '')) {
      problems.push({ manifest: label(m), path, message });
    }
    problems.push(...(await packageValidate(m, kinds.get(key) as string)));
  }
  return problems;
}

/** The package's own validate(): formats (int32, ...), enums and patterns of the schema. */
async function packageValidate(m: Manifest, module: string): Promise<ManifestProblem[]> {
  const exports = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = exports[String(m.kind)];
  try {
    new Model(m).validate();
    return [];
  } catch (err) {
    return [
      { manifest: label(m), path: '', message: `kubernetes-models validate(): ${(err as Error).message}` },
    ];
  }
}

interface KindType {
  checker: ts.TypeChecker;
  type: ts.Type;
}

/** Compiles one virtual file naming every kind's interface and answers each interface's type. */
function kindTypes(kinds: Map<string, string>): Map<string, KindType> {
  const entry = join(repoRoot, '__manifest_kinds__.ts');
  const keys = [...kinds.keys()];
  const resolvable = keys.filter((key) => canResolve(kinds.get(key) as string));
  const source = [
    ...resolvable.map(
      (key, i) => `import type { I${key.split('/').at(-1)} as K${i} } from '${kinds.get(key)}';`,
    ),
    `export interface Kinds { ${resolvable.map((key, i) => `'${key}': K${i};`).join(' ')} }`,
  ].join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    types: [],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => (file === entry ? source : readFile(file));
  host.fileExists = (file) => file === entry || fileExists(file);
  host.getSourceFile = (file, language, ...rest) =>
    file === entry ? ts.createSourceFile(file, source, language) : getSourceFile(file, language, ...rest);
  const program = ts.createProgram([entry], options, host);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry) as ts.SourceFile;
  const declaration = file.statements.find(ts.isInterfaceDeclaration) as ts.InterfaceDeclaration;
  const kindsType = checker.getTypeAtLocation(declaration);
  const types = new Map<string, KindType>();
  for (const key of resolvable) {
    const symbol = kindsType.getProperty(key);
    if (symbol === undefined) continue;
    const type = checker.getTypeOfSymbolAtLocation(symbol, declaration);
    if (type.flags & ts.TypeFlags.Any) continue;
    types.set(key, { checker, type });
  }
  return types;
}

const requireFromRepo = createRequire(join(repoRoot, 'package.json'));

function canResolve(module: string): boolean {
  try {
    requireFromRepo.resolve(module);
    return true;
  } catch {
    return false;
  }
}

interface Finding {
  path: string;
  message: string;
}

const kindOf = (value: unknown) =>
  Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;

/** Every finding of `value` against `type`, at `path`. */
function walk(checker: ts.TypeChecker, value: unknown, declared: ts.Type, path: string): Finding[] {
  const type = checker.getNonNullableType(declared);
  const at = path || '(top level)';
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
  if (type.isUnion()) return walkUnion(checker, value, type, path);
  if (type.isStringLiteral() || type.isNumberLiteral()) {
    return value === type.value ? [] : [{ path: at, message: `must be ${JSON.stringify(type.value)}` }];
  }
  if (type.flags & ts.TypeFlags.BooleanLiteral) {
    const expected = checker.typeToString(type) === 'true';
    return value === expected ? [] : [{ path: at, message: `must be ${expected}` }];
  }
  if (type.flags & ts.TypeFlags.String) {
    return typeof value === 'string' ? [] : [{ path: at, message: `must be a string, not ${kindOf(value)}` }];
  }
  if (type.flags & ts.TypeFlags.Number) {
    return typeof value === 'number' ? [] : [{ path: at, message: `must be a number, not ${kindOf(value)}` }];
  }
  if (type.flags & ts.TypeFlags.Boolean) {
    return typeof value === 'boolean'
      ? []
      : [{ path: at, message: `must be a boolean, not ${kindOf(value)}` }];
  }
  if (checker.isArrayType(type)) {
    if (!Array.isArray(value)) return [{ path: at, message: `must be an array, not ${kindOf(value)}` }];
    const [item] = checker.getTypeArguments(type as ts.TypeReference);
    return value.flatMap((element, i) => walk(checker, element, item, `${path}[${i}]`));
  }
  if (type.flags & ts.TypeFlags.Object) return walkObject(checker, value, type, path);
  return [{ path: at, message: `has a type the check does not know: ${checker.typeToString(type)}` }];
}

/** An enum (literals) must be one of them; other unions pass when one member passes. */
function walkUnion(checker: ts.TypeChecker, value: unknown, type: ts.UnionType, path: string): Finding[] {
  const members = type.types;
  const attempts = members.map((member) => walk(checker, value, member, path));
  if (attempts.some((findings) => findings.length === 0)) return [];
  if (members.every((m) => m.isLiteral() || m.flags & ts.TypeFlags.BooleanLiteral)) {
    const allowed = members.map((m) => checker.typeToString(m)).join(', ');
    return [
      { path: path || '(top level)', message: `must be one of ${allowed}, not ${JSON.stringify(value)}` },
    ];
  }
  return attempts.reduce((best, findings) => (findings.length < best.length ? findings : best));
}

function walkObject(checker: ts.TypeChecker, value: unknown, type: ts.Type, path: string): Finding[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path: path || '(top level)', message: `must be an object, not ${kindOf(value)}` }];
  }
  const record = value as Record<string, unknown>;
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  const findings: Finding[] = [];
  for (const [field, fieldValue] of Object.entries(record)) {
    const fieldPath = path ? `${path}.${field}` : field;
    const property = type.getProperty(field);
    // the API server reads a null field as an absent one
    if (fieldValue === null && (property === undefined || property.flags & ts.SymbolFlags.Optional)) continue;
    if (property !== undefined) {
      findings.push(...walk(checker, fieldValue, checker.getTypeOfSymbol(property), fieldPath));
    } else if (index !== undefined) {
      findings.push(...walk(checker, fieldValue, index.type, fieldPath));
    } else {
      findings.push({ path: fieldPath, message: `unknown field "${field}"` });
    }
  }
  for (const property of type.getProperties()) {
    if (!(property.flags & ts.SymbolFlags.Optional) && !(property.name in record)) {
      findings.push({
        path: path ? `${path}.${property.name}` : property.name,
        message: 'required field missing',
      });
    }
  }
  return findings;
}
