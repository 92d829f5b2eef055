// Pooling: onnxruntime MaxPool / AveragePool against the reference loops, average pooling against its depthwise
// convolution form, and gradients against finite differences (max pooling routes to the window maximum).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { assertClose, checkForward, checkGrad, makeEngine, randomND, rng } from './harness.js';

const engine = makeEngine();
after(() => engine.dispose());

describe('maxPool2d', () => {
  for (const [k, s, p, shape] of [
    [2, 2, 0, [2, 3, 6, 6]], // VGG
    [3, 2, 0, [1, 2, 9, 7]], // Inception reductions
    [3, 1, 1, [1, 2, 5, 5]], // Inception E_2 (padding never wins)
  ] as const) {
    test(`x=[${shape}] k=${k} s=${s} p=${p}`, async () => {
      const c = { build: ([x]: E.Tensor[]) => E.maxPool2d(x!, k, { stride: s, padding: p }), shapes: [[...shape]] };
      await checkForward(engine, c, 1e-6, 1e-6);
      await checkGrad(engine, c, 1);
    });
  }
  test('padding is never the maximum: an all-negative input keeps its values', async () => {
    const x = E.input('x', [1, 1, 2, 2]);
    const prog = await engine.compile({ y: E.maxPool2d(x, 3, { stride: 1, padding: 1 }) });
    const { y } = await prog.run({ x: [-4, -3, -2, -1] });
    assert.deepEqual(Array.from(y!.data), [-1, -1, -1, -1]);
    await prog.dispose();
  });
  test('the window is larger than the input: one clear error', () => {
    assert.throws(() => E.maxPool2d(E.input('x', [1, 1, 2, 2]), 3, { stride: 2 }), /too small for a 3x3 window/);
  });
});

describe('avgPool2d', () => {
  for (const countIncludePad of [true, false]) {
    test(`x=[2,3,5,6] k=3 s=1 p=1 countIncludePad=${countIncludePad}`, async () => {
      const c = { build: ([x]: E.Tensor[]) => E.avgPool2d(x!, 3, { stride: 1, padding: 1, countIncludePad }), shapes: [[2, 3, 5, 6]] };
      await checkForward(engine, c);
      await checkGrad(engine, c, 2);
    });
  }
  test('fast path (AveragePool) equals the depthwise convolution path, corners divide by 4', async () => {
    const xv = randomND([1, 4, 7, 7], rng(3));
    const x = E.input('x', [1, 4, 7, 7]);
    const o = { stride: 2, padding: 1, countIncludePad: false };
    const prog = await engine.compile({ fast: E.avgPool2d(x, 3, o), conv: E.avgPool2dByConv(x, E.poolAttributes(3, o)) });
    const out = await prog.run({ x: Array.from(xv.data) });
    assertClose(out.conv!.data, out.fast!.data, 1e-6, 1e-5, 'conv path vs AveragePool');
    const d = xv.data;
    assertClose([out.fast!.data[0]!], [(d[0]! + d[1]! + d[7]! + d[8]!) / 4], 1e-6, 1e-5, 'top-left corner');
    await prog.dispose();
  });
});
