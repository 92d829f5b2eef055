// Test harness for ops: forward against the reference interpreter, gradients against finite differences.
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { add, constant, Engine, evaluate, grad, input, mul, ndarray, sum, type Feed, type NDArray, type Program, type Tensor } from '../../src/engine/index.js';

/** A small seeded generator (mulberry32) for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How to draw the values of one input. */
export type Gen = (r: () => number) => number;
export const uniform = (lo = -1, hi = 1): Gen => (r) => lo + (hi - lo) * r();
/** Values bounded away from zero (for ops with a kink at 0). */
export const awayFromZero = (lo = 0.1, hi = 1): Gen => (r) => (r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r());

export function randomND(shape: readonly number[], r: () => number, gen: Gen = uniform()): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return ndarray(shape, Float64Array.from({ length: n }, () => gen(r)));
}

export function makeEngine(): Engine {
  return new Engine({ ort: ort as never, threads: 1 });
}

/** Asserts |a - b| <= atol + rtol * |b| element-wise, reporting the worst element. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) - (atol + rtol * Math.abs(expected[i]!));
    if (!(err <= 0) && (worst < 0 || !(err <= worstErr))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) assert.fail(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
}

export interface OpCase {
  /** Builds the op's output from its inputs. */
  build: (xs: Tensor[]) => Tensor;
  shapes: number[][];
  gens?: (Gen | undefined)[];
  /** Indices of inputs that are not differentiated (e.g. integer indices). */
  constInputs?: number[];
  /** Fixed values for some inputs (e.g. int64 indices). */
  values?: (NDArray | undefined)[];
  dtypes?: ('float32' | 'int64' | 'bool')[];
  seed?: number;
}

function inputsOf(c: OpCase): { xs: Tensor[]; feeds: Record<string, NDArray> } {
  const r = rng(c.seed ?? 1);
  const xs = c.shapes.map((s, i) => input(`x${i}`, s, c.dtypes?.[i] ?? 'float32'));
  const feeds: Record<string, NDArray> = {};
  c.shapes.forEach((s, i) => (feeds[`x${i}`] = c.values?.[i] ?? randomND(s, r, c.gens?.[i])));
  return { xs, feeds };
}

/** The feeds a program takes (gradient graphs may not use every input). */
function feedsFor(prog: Program, feeds: Record<string, NDArray>): Record<string, Feed> {
  return Object.fromEntries(prog.inputs.map((i) => [i.name, { data: Array.from(feeds[i.name]!.data), shape: i.shape }]));
}

/** Forward: onnxruntime output equals the reference interpreter's within float32 tolerance. */
export async function checkForward(engine: Engine, c: OpCase, atol = 1e-5, rtol = 1e-4): Promise<void> {
  const { xs, feeds } = inputsOf(c);
  const y = c.build(xs);
  const [ref] = evaluate([y], feeds);
  const prog = await engine.compile({ y });
  try {
    const fed = feedsFor(prog, feeds);
    const { y: out } = await prog.run(fed);
    assert.deepEqual(out!.shape, [...y.shape]);
    assertClose(Array.from(out!.data as ArrayLike<number>, Number), ref!.data, atol, rtol, `forward ${y.node.op.type}`);
  } finally {
    await prog.dispose();
  }
}

/** Finite-difference check (float64 reference) of d loss / d input for sampled elements. */
function fdCheck(loss: Tensor, xs: Tensor[], feeds: Record<string, NDArray>, which: number[], what: string, samples = 12): void {
  const grads = grad(loss, which.map((i) => xs[i]!));
  const analytic = evaluate(grads, feeds);
  const h = 1e-5;
  const f = (fd: Record<string, NDArray>) => evaluate([loss], fd)[0]!.data[0]!;
  which.forEach((i, k) => {
    const name = `x${i}`;
    const base = feeds[name]!;
    const n = base.data.length;
    const step = Math.max(1, Math.floor(n / samples));
    for (let e = 0; e < n; e += step) {
      const plus = new Float64Array(base.data);
      plus[e]! += h;
      const minus = new Float64Array(base.data);
      minus[e]! -= h;
      const num = (f({ ...feeds, [name]: { ...base, data: plus } }) - f({ ...feeds, [name]: { ...base, data: minus } })) / (2 * h);
      const ana = analytic[k]!.data[e]!;
      const tol = 1e-6 + 1e-5 * Math.max(Math.abs(num), Math.abs(ana));
      assert.ok(Math.abs(num - ana) <= tol, `${what}: d/d${name}[${e}] analytic ${ana} vs numeric ${num}`);
    }
  });
}

/**
 * Gradient check: first order (and second order when `order` is 2) against central finite differences,
 * plus the gradient graph run on onnxruntime against the reference.
 */
export async function checkGrad(engine: Engine | null, c: OpCase, order: 1 | 2 = 2): Promise<void> {
  const { xs, feeds } = inputsOf(c);
  const r = rng((c.seed ?? 1) + 99);
  const which = xs.map((_, i) => i).filter((i) => !(c.constInputs ?? []).includes(i) && (c.dtypes?.[i] ?? 'float32') === 'float32');
  const y = c.build(xs);
  const weights = randomND(y.shape, r);
  const loss = sum(mul(y, constant(weights.data, y.shape)));
  fdCheck(loss, xs, feeds, which, `first-order ${y.node.op.type}`);
  const g = grad(loss, which.map((i) => xs[i]!));
  if (order === 2) {
    // Second order: differentiate sum(g_i * r_i) and compare with finite differences of the gradient graph.
    const loss2 = g.map((gi) => sum(mul(gi, constant(randomND(gi.shape, r).data, gi.shape)))).reduce((a, b) => add(a, b));
    fdCheck(loss2, xs, feeds, which, `second-order ${y.node.op.type}`);
  }
  if (engine) {
    const outs = Object.fromEntries(g.map((gi, k) => [`g${k}`, gi]));
    const ref = evaluate(g, feeds);
    const prog = await engine.compile(outs);
    try {
      const fed = feedsFor(prog, feeds);
      const res = await prog.run(fed);
      g.forEach((_, k) => assertClose(res[`g${k}`]!.data, ref[k]!.data, 1e-4, 1e-3, `onnxruntime gradient ${k} of ${y.node.op.type}`));
    } finally {
      await prog.dispose();
    }
  }
}
