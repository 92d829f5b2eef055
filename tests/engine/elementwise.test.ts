// Element-wise ops: forward vs reference, first and second-order gradients vs finite differences.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { awayFromZero, checkForward, checkGrad, makeEngine, uniform } from './harness.js';

const engine = makeEngine();
after(() => engine.dispose());

const positive = uniform(0.3, 2);
const unary: [string, (x: E.Tensor) => E.Tensor, ReturnType<typeof uniform>?][] = [
  ['exp', E.exp],
  ['log', E.log, positive],
  ['sqrt', E.sqrt, positive],
  ['rsqrt', E.rsqrt, positive],
  ['sin', E.sin, uniform(-3, 3)],
  ['cos', E.cos, uniform(-3, 3)],
  ['tanh', E.tanh, uniform(-2, 2)],
  ['sigmoid', E.sigmoid, uniform(-3, 3)],
  ['softplus', E.softplus, uniform(-3, 3)],
  ['erf', E.erfOf, uniform(-2, 2)],
  ['abs', E.abs, awayFromZero()],
  ['neg', E.neg],
  ['square', E.square],
  ['reciprocal', E.reciprocal, awayFromZero(0.3, 2)],
  ['relu', E.relu, awayFromZero()],
  ['leakyRelu', (x) => E.leakyRelu(x, 0.2), awayFromZero()],
  ['leakyRelu alpha 1.5 (gradient by Where)', (x) => E.leakyRelu(x, 1.5), awayFromZero()],
  ['clip', (x) => E.clip(x, -0.5, 0.6), uniform(-1, 1)],
];

describe('unary ops', () => {
  for (const [name, f, gen] of unary) {
    test(`${name} x=[2,3,4]`, async () => {
      const c = { build: ([x]: E.Tensor[]) => f(x!), shapes: [[2, 3, 4]], gens: [gen] };
      await checkForward(engine, c);
      await checkGrad(engine, c);
    });
  }
  test('leakyRelu gradient is exactly dy or alpha * dy in float32, as torch (alpha 0.2 and 0.01: the product form)', async () => {
    for (const alpha of [0.2, 0.01]) {
      const x = E.input('x', [64]);
      const dy = E.input('dy', [64]);
      const [g] = E.grad(E.sum(E.mul(E.leakyRelu(x, alpha), dy)), [x]);
      const prog = await engine.compile({ g: g! });
      const xv = Float32Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? 0 : Math.sin(i * 1.7)));
      const dv = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.9) * 3);
      const got = (await prog.run({ x: xv, dy: dv })).g!.data;
      const want = dv.map((d, i) => (xv[i]! > 0 ? d : Math.fround(d * Math.fround(alpha))));
      assert.deepEqual(Array.from(got), Array.from(want));
      await prog.dispose();
    }
  });
  test('sign and floor forward (not differentiable)', async () => {
    await checkForward(engine, { build: ([x]) => E.sign(x!), shapes: [[5, 3]], gens: [awayFromZero()] });
    await checkForward(engine, { build: ([x]) => E.floor(x!), shapes: [[5, 3]], gens: [uniform(-3, 3)] });
  });
});

const binary: [string, (a: E.Tensor, b: E.Tensor) => E.Tensor, ReturnType<typeof uniform>?, ReturnType<typeof uniform>?][] = [
  ['add', E.add],
  ['sub', E.sub],
  ['mul', E.mul],
  ['div', E.div, undefined, awayFromZero(0.3, 2)],
  ['pow', E.pow, uniform(0.3, 2), uniform(-2, 2)],
  ['maximum', E.maximum],
  ['minimum', E.minimum],
];

describe('binary ops with broadcasting', () => {
  for (const [name, f, ga, gb] of binary) {
    for (const [sa, sb] of [
      [[2, 3, 4], [2, 3, 4]],
      [[2, 3, 4], [3, 1]],
      [[1, 4], [3, 1]],
      [[], [2, 2]],
    ]) {
      test(`${name} a=[${sa}] b=[${sb}]`, async () => {
        const c = { build: ([a, b]: E.Tensor[]) => f(a!, b!), shapes: [sa!, sb!], gens: [ga, gb], seed: sa!.length * 7 + sb!.length };
        await checkForward(engine, c);
        await checkGrad(engine, c);
      });
    }
  }
  test('lerp a=[2,3] b=[2,3] t=0.7', async () => {
    const c = { build: ([a, b]: E.Tensor[]) => E.lerp(a!, b!, 0.7), shapes: [[2, 3], [2, 3]] };
    await checkForward(engine, c);
    await checkGrad(engine, c);
  });
});

describe('comparisons, logic, where, cast', () => {
  for (const [name, f] of [
    ['less', E.less],
    ['greater', E.greater],
    ['equal', (a: E.Tensor, b: E.Tensor) => E.equal(E.floor(E.mul(a, 2)), E.floor(E.mul(b, 2)))],
    ['lessEqual', E.lessEqual],
    ['greaterEqual', E.greaterEqual],
  ] as const) {
    test(`${name} a=[3,4] b=[4]`, async () => {
      await checkForward(engine, { build: ([a, b]) => E.cast(f(a!, b!), 'float32'), shapes: [[3, 4], [4]] });
    });
  }
  test('and / or / not', async () => {
    await checkForward(engine, {
      build: ([a, b]) => E.cast(E.or(E.and(E.greater(a!, 0), E.less(b!, 0)), E.not(E.greater(a!, 0.5))), 'float32'),
      shapes: [[3, 4], [3, 4]],
    });
  });
  test('where c=[3,1] a=[3,4] b=[4]', async () => {
    const c = { build: ([cond, a, b]: E.Tensor[]) => E.where(E.greater(cond!, 0), a!, b!), shapes: [[3, 1], [3, 4], [4]], constInputs: [0] };
    await checkForward(engine, c);
    await checkGrad(engine, c);
  });
  test('cast float -> int64 -> float truncates', async () => {
    await checkForward(engine, { build: ([x]) => E.cast(E.cast(x!, 'int64'), 'float32'), shapes: [[6]], gens: [uniform(-5, 5)] });
  });
});
