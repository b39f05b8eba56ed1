import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Random } from '../../src/common/random.js';
import '../../src/learn/policies/index.js';
import { paramTable } from '../../src/sim/doc.js';
import { simulate } from '../../src/sim/engine.js';
import { type NumberParam, PolicyParamError, readParams } from '../../src/sim/params.js';
import { parsePolicies } from '../../src/sim/plan.js';
import { classicPolicyNames, policies, policySpec } from '../../src/sim/policies/index.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import { examples, repoRoot, smartcache } from '../helpers.js';

const DECLS = {
  ratio: { type: 'number', default: 0.1, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, doc: 'r' },
  bits: { type: 'integer', default: 1, min: 1, max: 8, doc: 'b' },
  learn: { type: 'boolean', doc: 'l' },
  schedule: { type: 'choice', choices: ['k', 'day'], default: 'k', doc: 's' },
  bundle: { type: 'string', placeholder: 'DIR', doc: 'd' },
} as const;

test('declared parameters: defaults, typed values, absent optional ones', () => {
  assert.deepEqual(readParams('p', DECLS, {}), {
    ratio: 0.1,
    bits: 1,
    learn: undefined,
    schedule: 'k',
    bundle: undefined,
  });
  assert.deepEqual(
    readParams('p', DECLS, { ratio: '0.5', bits: '8', learn: 'true', schedule: 'day', bundle: 'b' }),
    {
      ratio: 0.5,
      bits: 8,
      learn: true,
      schedule: 'day',
      bundle: 'b',
    },
  );
});

test('an unknown key is refused with the known ones; a bad value with its range', () => {
  const refused = (raw: Record<string, string>, message: RegExp) =>
    assert.throws(
      () => readParams('p', DECLS, raw),
      (err: Error) => err instanceof PolicyParamError && message.test(err.message),
    );
  refused({ ration: '0.2' }, /parameter ration is unknown; known: ratio, bits, learn, schedule, bundle/);
  refused({ ratio: '1' }, /ratio=1: expected number in \(0, 1\)/);
  refused({ ratio: '0' }, /expected number in \(0, 1\)/);
  refused({ ratio: 'x' }, /ratio=x: expected/);
  refused({ ratio: '' }, /ratio=: expected/);
  refused({ bits: '1.5' }, /expected integer in 1\.\.8/);
  refused({ bits: '9' }, /expected integer in 1\.\.8/);
  refused({ learn: '1' }, /expected true or false/);
  refused({ schedule: 'week' }, /expected k or day/);
  refused({ bundle: '' }, /expected a DIR/);
  assert.throws(
    () => readParams('lru', {}, { a: '1' }),
    /lru: parameter a is unknown; it takes no parameters/,
  );
});

test("policy lists are checked against each policy's declaration before anything runs", () => {
  assert.throws(
    () => parsePolicies('s3fifo(fifo-size-ration=0.2)'),
    /known: fifo-size-ratio, ghost-size-ratio, move-to-main-threshold/,
  );
  for (const ratio of ['2', '1.01', '1.5', '1', '0', '-0.1']) {
    assert.throws(() => parsePolicies(`s3fifo(fifo-size-ratio=${ratio})`), PolicyParamError, ratio);
  }
  assert.throws(() => parsePolicies('lru(size=1)'), /takes no parameters/);
  assert.equal(parsePolicies('s3fifo(fifo-size-ratio=0.2),2q(Ain-size-ratio=0.5)').length, 2);
  // the policy under learned-admit is a policy with parameters of its own
  const [admit] = parsePolicies('learned-admit(bundle=b,under=s3fifo(fifo-size-ratio=0.2))');
  assert.deepEqual(admit.params, { bundle: 'b', under: 's3fifo(fifo-size-ratio=0.2)' });
});

test('every classic policy terminates with each parameter at the limits of its range', () => {
  const rng = new Random(5);
  const trace = traceFromRequests(
    Array.from({ length: 3000 }, (_, i) => ({ time: i, key: rng.int(300), size: 1 + rng.int(5000) })),
  );
  for (const name of classicPolicyNames()) {
    const spec = policySpec(name);
    for (const [key, decl] of Object.entries(spec.params ?? {})) {
      if (decl.type !== 'number' && decl.type !== 'integer') continue;
      for (const value of limits(decl)) {
        for (const capacity of [1, 20_000, 400_000]) {
          const r = simulate(trace, spec, { capacity, params: { [key]: String(value) } });
          assert.equal(r.requests, trace.length, `${name}(${key}=${value}) at ${capacity}`);
        }
      }
    }
  }
});

/** The extreme values a parameter accepts (just inside an exclusive bound, 1e6 for an open one). */
function limits(decl: NumberParam): number[] {
  const step = decl.type === 'integer' ? 1 : 1e-9;
  const low = decl.min === undefined ? -1e6 : decl.exclusiveMin ? decl.min + step : decl.min;
  const high = decl.max === undefined ? 1e6 : decl.exclusiveMax ? decl.max - step : decl.max;
  return [low, high];
}

test('docs/policies.md holds the parameter table generated from the declarations', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'policies.md'), 'utf8');
  const table = paramTable(policies());
  assert.ok(
    doc.includes(table),
    `docs/policies.md is out of date; replace its parameter table with:\n${table}`,
  );
});

test('simulate refuses an unknown policy parameter and names the known ones', async () => {
  await assert.rejects(
    smartcache(
      'simulate',
      '--trace',
      join(examples, 'cms-sample.csv'),
      '--policies',
      's3fifo(fifo-size-ration=0.2)',
    ),
    (err: { code: number; stderr: string }) =>
      err.code !== 0 && /fifo-size-ration is unknown; known: fifo-size-ratio/.test(err.stderr),
  );
});
