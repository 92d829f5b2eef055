// Gradients of gradients through whole networks: the R1 penalty of a small discriminator and a path-length-style
// penalty of a small generator, checked against finite differences in float64.
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { awayFromZero, checkGrad, makeEngine } from './harness.js';

const engine = makeEngine();
after(() => engine.dispose());

/** A toy discriminator: conv, leaky ReLU, strided conv, mean. */
function disc(img: E.Tensor, w1: E.Tensor, w2: E.Tensor): E.Tensor {
  const h = E.leakyRelu(E.conv2d(img, w1, { padding: 1 }), 0.2);
  return E.sum(E.mul(E.conv2d(h, w2, { stride: 2, padding: 1 }), 0.5), [1, 2, 3]);
}

describe('second-order through networks', () => {
  test('R1: d/dw of |d D(x) / dx|^2', async () => {
    // Inputs: x (real images), w1, w2 (weights). Output: R1 penalty; checkGrad differentiates it again (order 2 => third order).
    await checkGrad(
      engine,
      {
        build: ([x, w1, w2]) => {
          const [gx] = E.grad(E.sum(disc(x!, w1!, w2!)), [x!]);
          return E.sum(E.square(gx!), [1, 2, 3]);
        },
        shapes: [[2, 2, 4, 4], [3, 2, 3, 3], [2, 3, 3, 3]],
        gens: [awayFromZero(0.05, 1), undefined, undefined],
      },
      1,
    );
  });
  test('path length: d/dw of |J^T y| for a modulated-conv generator', async () => {
    await checkGrad(
      engine,
      {
        build: ([w, weight, y]) => {
          // img = conv(const, weight * style(w)); pl = sqrt(mean(grad(sum(img * y), w)^2)).
          const s = E.add(E.linear(w!, E.constant(new Float64Array(6).map((_, i) => 0.3 - 0.1 * i), [3, 2])), 1);
          const wmod = E.mul(weight!, E.reshape(s, [1, 3, 1, 1]));
          const x0 = E.constant(new Float64Array(48).map((_, i) => Math.sin(i)), [1, 3, 4, 4]);
          const img = E.tanh(E.conv2d(x0, wmod, { padding: 1 }));
          const [gw] = E.grad(E.sum(E.mul(img, y!)), [w!]);
          return E.sqrt(E.mean(E.square(gw!)));
        },
        shapes: [[1, 2], [2, 3, 3, 3], [1, 2, 4, 4]],
        constInputs: [2],
      },
      2,
    );
  });
});
