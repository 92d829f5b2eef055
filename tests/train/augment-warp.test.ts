// The ADA pipeline's bilinear warp: GridSample forward (fast path) against the one-gather formulation (reference
// path) and the engine's gridSample; gradients first and second order (R1 differentiates through the augmentation).
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { gatherRows, scatterAddRows, warpBilinear, warpBilinearByGather } from '../../src/train/augment-warp.js';
import { assertClose, checkForward, checkGrad, makeEngine, randomND, rng, uniform } from '../engine/harness.js';

const engine = makeEngine();
after(() => engine.dispose());

const gridGen = uniform(-1.1, 1.1); // off integer pixel positions, where bilinear sampling has kinks
const rows = E.ndarray([5, 1], [3, 0, 3, 4, 1], 'int64');

describe('warpBilinear', () => {
  test('gatherRows and scatterAddRows (repeated indices): onnxruntime vs reference, gradients', async () => {
    const g = { build: ([x, i]: E.Tensor[]) => gatherRows(x!, i!), shapes: [[6, 3], [5, 1]], values: [undefined, rows], dtypes: ['float32', 'int64'] as ('float32' | 'int64')[], constInputs: [1] };
    await checkForward(engine, g);
    await checkGrad(engine, g, 2);
    const s = { build: ([u, i]: E.Tensor[]) => scatterAddRows(u!, i!, 6), shapes: [[5, 3], [5, 1]], values: [undefined, rows], dtypes: ['float32', 'int64'] as ('float32' | 'int64')[], constInputs: [1] };
    await checkForward(engine, s);
    await checkGrad(engine, s, 2);
  });

  test('GridSample forward equals the reference; gradients to the image, first and second order', async () => {
    const c = { build: ([x, g]: E.Tensor[]) => warpBilinear(x!, g!), shapes: [[2, 3, 5, 6], [2, 4, 3, 2]], gens: [undefined, gridGen] };
    await checkForward(engine, c);
    await checkGrad(engine, c, 1);
    const sq = { build: ([x, g]: E.Tensor[]) => warpBilinear(E.square(x!), g!), shapes: c.shapes, gens: c.gens, constInputs: [1] };
    await checkGrad(engine, sq, 2);
  });

  test('the one-gather formulation equals the engine\'s four-gather gridSample (align_corners=False)', () => {
    const r = rng(3);
    const [xv, gv] = [randomND([2, 3, 5, 6], r), randomND([2, 4, 3, 2], r, gridGen)];
    const [x, g] = [E.input('x', xv.shape), E.input('g', gv.shape)];
    const [a, b] = E.evaluate([warpBilinearByGather(x, g), E.gridSampleByGather(x, g)], { x: xv, g: gv });
    assertClose(a!.data, b!.data, 1e-12, 0, 'one gather vs four');
  });
});
