// Gradients of winogradConv2d by its rule (input gradient: Winograd with the flipped, transposed weight; weight
// gradient: the direct conv's) against the gradients of the plain convolution, in the float64 reference
// interpreter and in onnxruntime; and the custom-gradient value itself (customGrad).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { GraphError } from '../../src/errors.js';
import { winogradConv2d, type WinogradTile } from '../../src/nets/ops/winograd.js';
import { assertClose, makeEngine, randomND, rng } from '../engine/harness.js';

const engine = makeEngine();
after(() => engine.dispose());

describe('winogradConv2d gradients', () => {
  for (const m of [2, 4] as WinogradTile[]) {
    for (const padding of [0, 1, 2]) {
      test(`F(${m}x${m},3x3), padding ${padding}: input and weight gradients equal conv2d's in float64`, () => {
        const r = rng(31 * m + padding);
        const shape = [2, 3, 9, 7];
        const x = E.input('x', shape);
        const w = E.input('w', [4, 3, 3, 3]);
        const fast = winogradConv2d(x, w, { padding, m });
        const ref = E.conv2d(x, w, { padding });
        const probe = E.input('probe', fast.shape);
        const [gxF, gwF] = E.grad(E.sum(E.mul(fast, probe)), [x, w]);
        const [gxR, gwR] = E.grad(E.sum(E.mul(ref, probe)), [x, w]);
        const feeds = { x: randomND(shape, r), w: randomND([4, 3, 3, 3], r), probe: randomND(fast.shape, r) };
        const [a, b, c, d] = E.evaluate([gxF!, gxR!, gwF!, gwR!], feeds);
        assertClose(a!.data, b!.data, 1e-9, 1e-9, 'input gradient');
        assertClose(c!.data, d!.data, 1e-9, 1e-9, 'weight gradient');
      });
    }
  }

  test('F(4x4,3x3) input gradient in onnxruntime (constant weight) equals the direct conv gradient within 1e-5 of its scale', async () => {
    const r = rng(5);
    const shape = [1, 48, 21, 17];
    const x = E.input('x', shape);
    const w = E.constant(Float32Array.from(randomND([40, 48, 3, 3], r).data, (v) => v / 20), [40, 48, 3, 3]);
    const probe = E.input('probe', [1, 40, 21, 17]);
    const [fast] = E.grad(E.sum(E.mul(winogradConv2d(x, w, { padding: 1 }), probe)), [x]);
    const [ref] = E.grad(E.sum(E.mul(E.conv2d(x, w, { padding: 1 }), probe)), [x]);
    const prog = await engine.compile({ fast: fast!, ref: ref! });
    const out = await prog.run({ probe: Array.from(randomND([1, 40, 21, 17], r).data) }); // linear in x: x is not an input
    await prog.dispose();
    const scale = (out.ref!.data as Float32Array).reduce((s, v) => Math.max(s, Math.abs(v)), 0);
    assertClose(out.fast!.data, out.ref!.data, 1e-5 * scale, 0, 'input gradient');
  });

  test('rejects padding outside 0..2', () => {
    assert.throws(() => winogradConv2d(E.input('x', [1, 2, 8, 8]), E.input('w', [2, 2, 3, 3]), { padding: 3 }), GraphError);
  });
});

describe('customGrad', () => {
  test('forward is the value, backward is the rule (not the value subgraph)', () => {
    const x = E.input('x', [3]);
    const y = E.customGrad(E.square(x), [x], (dy) => [E.mul(dy, 10)]); // value x^2, gradient 10 dy
    const [g] = E.grad(E.sum(y), [x]);
    const [v, gv] = E.evaluate([y, g!], { x: E.ndarray([3], [1, 2, 3]) });
    assert.deepEqual(Array.from(v!.data), [1, 4, 9]);
    assert.deepEqual(Array.from(gv!.data), [10, 10, 10]);
  });
});
