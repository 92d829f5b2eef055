// U-GAT-IT's layers: onnxruntime (fast path) against the float64 reference interpreter, gradients against
// finite differences (training differentiates through all of them), and spectral norm's two implementations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { camHead, reflectionPad, upsampleNearest2x } from '../../src/nets/ugatit/layers.js';
import { adaLIN, instanceNorm, layerInstanceNorm } from '../../src/nets/ugatit/norms.js';
import { powerIteration, spectralNormWeight, spectralNormWeightRef, spectralSigma } from '../../src/nets/ugatit/spectral-norm.js';
import { assertClose, awayFromZero, checkForward, checkGrad, makeEngine, rng, uniform } from '../engine/harness.js';

const engine = makeEngine();

test('instance norm (biased variance): forward and gradients', async () => {
  const c = { build: ([x]: E.Tensor[]) => instanceNorm(x!), shapes: [[2, 3, 4, 5]] };
  await checkForward(engine, c);
  await checkGrad(engine, c, 1);
});

test('LIN (ILN) and AdaLIN (adaILN) (unbiased variances, rho mix): forward and gradients', async () => {
  const ilnCase = { build: ([x, rho, g, b]: E.Tensor[]) => layerInstanceNorm(x!, rho!, g!, b!), shapes: [[2, 3, 4, 4], [1, 3, 1, 1], [1, 3, 1, 1], [1, 3, 1, 1]], gens: [uniform(), uniform(0, 1)] };
  await checkForward(engine, ilnCase);
  await checkGrad(engine, ilnCase, 1);
  const ada = { build: ([x, rho, g, b]: E.Tensor[]) => adaLIN(x!, rho!, g!, b!), shapes: [[2, 3, 3, 4], [1, 3, 1, 1], [2, 3], [2, 3]], gens: [uniform(), uniform(0, 1)] };
  await checkForward(engine, ada);
  await checkGrad(engine, ada, 1);
});

test('LIN equals the formula written out by hand on one sample', () => {
  const x = [1, 2, 4, 7, 3, 0, 5, 9]; // [1, 2, 2, 2]
  const [rho, gamma, beta] = [0.3, 2, 0.5];
  const out = E.evaluate([layerInstanceNorm(E.constant(x, [1, 2, 2, 2]), E.constant([rho, rho], [1, 2, 1, 1]), E.constant([gamma, gamma], [1, 2, 1, 1]), E.constant([beta, beta], [1, 2, 1, 1]))], {})[0]!;
  const stats = (v: number[]) => {
    const m = v.reduce((a, b) => a + b) / v.length;
    return [m, v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)] as const;
  };
  const [lm, lv] = stats(x);
  x.forEach((v, i) => {
    const [im, iv] = stats(x.slice(i < 4 ? 0 : 4, i < 4 ? 4 : 8));
    const expected = (rho * (v - im) / Math.sqrt(iv + 1e-5) + (1 - rho) * (v - lm) / Math.sqrt(lv + 1e-5)) * gamma + beta;
    assert.ok(Math.abs(out.data[i]! - expected) < 1e-12, `element ${i}: ${out.data[i]} vs ${expected}`);
  });
});

test('reflection pad, nearest 2x up-sampling and the CAM head: forward and gradients', async () => {
  const pad = { build: ([x]: E.Tensor[]) => reflectionPad(x!, 2), shapes: [[1, 2, 4, 5]] };
  await checkForward(engine, pad);
  await checkGrad(engine, pad, 1);
  const up = { build: ([x]: E.Tensor[]) => upsampleNearest2x(x!), shapes: [[1, 2, 3, 2]] };
  await checkForward(engine, up);
  await checkGrad(engine, up, 1);
  const cam = {
    build: ([x, a, b, w, bias]: E.Tensor[]) => {
      const o = camHead(x!, { gapLogitW: a!, gmpLogitW: b!, gapW: a!, gmpW: b!, conv1x1W: w!, conv1x1B: bias! }, E.relu);
      return E.concat([E.reshape(o.x, [2, 36]), E.reshape(o.heatmap, [2, 9]), o.camLogit], 1);
    },
    shapes: [[2, 4, 3, 3], [1, 4], [1, 4], [4, 8, 1, 1], [4]],
    gens: [awayFromZero()],
  };
  await checkForward(engine, cam);
  await checkGrad(engine, cam, 1);
});

test('spectral norm: graph weight equals the TypeScript reference; power iteration converges to the top singular value', async () => {
  const r = rng(5);
  const [out, fan] = [6, 12];
  const w = Float32Array.from({ length: out * fan }, () => r() * 2 - 1);
  const u = Float32Array.from({ length: out }, () => r() - 0.5);
  const v = Float32Array.from({ length: fan }, () => r() - 0.5);
  const y = spectralNormWeight(E.constant(w, [out, 3, 2, 2]), E.constant(u, [out]), E.constant(v, [fan]));
  const prog = await engine.compile({ y });
  const { y: got } = await prog.run({});
  await prog.dispose();
  assertClose(got!.data, spectralNormWeightRef(w, u, v), 1e-5, 1e-4, 'W / sigma');
  // After many iterations sigma is the largest singular value: ||W v|| with u, v unit vectors.
  for (let i = 0; i < 200; i++) powerIteration(w, u, v);
  const norm = (a: ArrayLike<number>) => Math.hypot(...Array.from(a));
  assert.ok(Math.abs(norm(u) - 1) < 1e-6 && Math.abs(norm(v) - 1) < 1e-6);
  const wn = spectralNormWeightRef(w, u, v);
  const wv = Array.from({ length: out }, (_, o) => wn.slice(o * fan, (o + 1) * fan).reduce((s, x, k) => s + x * v[k]!, 0));
  assert.ok(Math.abs(norm(wv) - 1) < 1e-4, `normalised weight's spectral norm ${norm(wv)}`);
});

test('spectral norm on the conv output (what the discriminator does where it is smaller): same values and gradients as on the weight', async () => {
  // u, v, W positive keep sigma away from zero; u, v are constants as in training (fed, no gradient).
  const gens = [undefined, uniform(0.2, 1), uniform(0.2, 1), uniform(0.2, 1)];
  const shapes = [[1, 2, 5, 5], [3, 2, 2, 2], [3], [8]];
  const onOutput = { build: ([x, w, u, v]: E.Tensor[]) => E.div(E.conv2d(x!, w!), spectralSigma(w!, u!, v!)), shapes, gens, constInputs: [2, 3] };
  const onWeight = { ...onOutput, build: ([x, w, u, v]: E.Tensor[]) => E.conv2d(x!, spectralNormWeight(w!, u!, v!)) };
  await checkForward(engine, onOutput);
  await checkGrad(engine, onOutput, 1);
  // The two forms agree in value and in the gradients with respect to x and W.
  const x = E.input('x', [1, 2, 5, 5]);
  const w = E.input('w', [3, 2, 2, 2]);
  const [u, v] = [E.input('u', [3]), E.input('v', [8])];
  const r = rng(11);
  const feeds = { x: Float32Array.from({ length: 50 }, () => r() * 2 - 1), w: Float32Array.from({ length: 24 }, () => 0.2 + r()), u: Float32Array.from({ length: 3 }, () => 0.2 + r()), v: Float32Array.from({ length: 8 }, () => 0.2 + r()) };
  const weights = E.constant(Float32Array.from({ length: 48 }, () => r() - 0.5), [1, 3, 4, 4]);
  const results = [];
  for (const f of [onOutput, onWeight]) {
    const y = f.build([x, w, u, v]); // [1, 3, 4, 4]
    const [gx, gw] = E.grad(E.sum(E.mul(y, weights)), [x, w]);
    const prog = await engine.compile({ y, gx: gx!, gw: gw! });
    results.push(await prog.run(feeds));
    await prog.dispose();
  }
  for (const k of ['y', 'gx', 'gw']) assertClose(results[0]![k]!.data, results[1]![k]!.data, 1e-5, 1e-4, k);
});
