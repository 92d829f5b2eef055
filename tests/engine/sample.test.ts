// Bilinear sampling: the onnxruntime GridSample (fast path) against the gather-based formulation (reference path)
// and the plain TypeScript reference; gradients vs finite differences.
import { equal } from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { assertClose, checkForward, checkGrad, makeEngine, randomND, rng, uniform } from './harness.js';

const engine = makeEngine();
after(() => engine.dispose());

// Grid points kept off integer pixel positions: bilinear sampling has kinks there.
const gridGen = uniform(-1.1, 1.1);

describe('gridSample', () => {
  for (const alignCorners of [false, true]) {
    test(`x=[2,3,5,6] grid=[2,4,3,2] alignCorners=${alignCorners}`, async () => {
      const c = { build: ([x, g]: E.Tensor[]) => E.gridSample(x!, g!, alignCorners), shapes: [[2, 3, 5, 6], [2, 4, 3, 2]], gens: [undefined, gridGen] };
      await checkForward(engine, c);
      await checkGrad(engine, c, 1);
    });
    test(`fast path (ORT GridSample) equals gather path, alignCorners=${alignCorners}`, async () => {
      const r = rng(5);
      const xv = randomND([1, 2, 4, 4], r);
      const gv = randomND([1, 3, 3, 2], r, gridGen);
      const x = E.input('x', [1, 2, 4, 4]);
      const g = E.input('g', [1, 3, 3, 2]);
      const prog = await engine.compile({ fast: E.gridSample(x, g, alignCorners), gathered: E.gridSampleByGather(x, g, alignCorners) });
      const out = await prog.run({ x: Array.from(xv.data), g: Array.from(gv.data) });
      assertClose(out.gathered!.data, out.fast!.data, 1e-6, 1e-5, 'gather path vs GridSample');
      await prog.dispose();
    });
  }
  test('second-order gradient through the features (DragGAN differentiates w through sampled features)', async () => {
    const c = {
      build: ([x, g]: E.Tensor[]) => E.gridSample(E.square(x!), g!, true),
      shapes: [[1, 2, 4, 4], [1, 2, 2, 2]],
      gens: [undefined, gridGen],
      constInputs: [1],
    };
    await checkGrad(engine, c, 2);
  });
  test('detach stops gradients', async () => {
    const x = E.input('x', [3]);
    const [g] = E.grad(E.sum(E.mul(E.detach(x), x)), [x]);
    const [v] = E.evaluate([g!], { x: E.ndarray([3], [1, 2, 3]) });
    equal(Array.from(v!.data).join(','), '1,2,3'); // d/dx (c * x) with c = x held fixed
  });
});
