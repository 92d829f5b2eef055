// The projector's parts against hand-computed values: projector.py's schedule, the noise regulariser (graph against
// its TypeScript reference, values and gradients), the noise renormalisation, area downsampling, the uint8 conversion.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { areaDownsample, areaDownsampleRef } from '../../src/project/distance.js';
import { noiseRegularization, noiseRegularizationRef, renormalizeNoise } from '../../src/project/noise.js';
import { projectorUint8 } from '../../src/project/projector.js';
import { DEFAULT_PROJECT_OPTIONS, stepSchedule, validateProjectOptions } from '../../src/project/schedule.js';
import { InputError } from '../../src/errors.js';
import { assertClose, makeEngine, rng } from '../engine/harness.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('schedule: learning-rate ramps and w noise as projector.py computes them (w_std 2, 1000 steps)', () => {
  const at = (step: number) => stepSchedule(step, 1000, 2, DEFAULT_PROJECT_OPTIONS);
  // Step 0: the ramp-up makes lr 0; the w noise is w_std * 0.05.
  close(at(0).lr, 0);
  close(at(0).wNoiseScale, 0.1);
  // t = 0.025: half-way up the ramp (0.025 / 0.05); noise (1 - 0.025 / 0.75)^2 = 0.934444...
  close(at(25).lr, 0.05);
  close(at(25).wNoiseScale, 0.1 * (1 - 0.025 / 0.75) ** 2);
  // t = 0.5: full rate.
  close(at(500).lr, 0.1);
  // t = 0.8: cosine ramp-down at 0.2 / 0.25 = 0.8: 0.5 - 0.5 cos(0.8 pi) = 0.904508...
  close(at(800).lr, 0.1 * 0.9045084971874737);
  // t = 0.9: 0.5 - 0.5 cos(0.4 pi) = 0.345491...; past noise_ramp_length the w noise is 0.
  close(at(900).lr, 0.1 * 0.3454915028125263);
  close(at(900).wNoiseScale, 0);
  close(at(999).lr, 0.1 * (0.5 - 0.5 * Math.cos(0.004 * Math.PI)));
});

test('options: defaults are projector.py\'s; bad values are refused with one message', () => {
  const o = validateProjectOptions();
  assert.deepEqual([o.numSteps, o.wAvgSamples, o.wAvgSeed, o.initialLearningRate, o.regularizeNoiseWeight, o.seed], [1000, 10000, 123, 0.1, 1e5, 303]);
  assert.throws(() => validateProjectOptions({ numSteps: 0 }), (e: Error) => e instanceof InputError && /numSteps must be an integer between 1/.test(e.message));
  assert.throws(() => validateProjectOptions({ initialLearningRate: -1 }), /initialLearningRate must be a positive number/);
  assert.throws(() => validateProjectOptions({ seed: 1.5 }), /seed must be an integer/);
});

const buffer = (h: number, f: (y: number, x: number) => number) => ({ data: Float32Array.from({ length: h * h }, (_, i) => f(Math.floor(i / h), i % h)), height: h, width: h });

test('noise regularisation: hand-computed values (checkerboard, constant) on one and more pyramid levels', () => {
  const checker = (y: number, x: number) => ((x + y) % 2 ? -1 : 1);
  // Every pixel times its (wrapped) neighbour is -1: mean -1, squared 1, in both directions.
  close(noiseRegularizationRef([buffer(4, checker)]), 2);
  // 16x16: level 16 gives 2; the 2x2 average pool of a checkerboard is 0 (level 8 adds nothing).
  close(noiseRegularizationRef([buffer(16, checker)]), 2);
  // A constant 1 gives 2 at every level: 16 and 8 (pooling stops at 8).
  close(noiseRegularizationRef([buffer(16, () => 1)]), 4);
  close(noiseRegularizationRef([buffer(32, () => 1), buffer(4, checker)]), 6 + 2);
});

test('noise regularisation: the graph (onnxruntime) equals the reference, and its gradient finite differences', async () => {
  const r = rng(3);
  const bufs = [4, 8, 16, 32].map((h) => buffer(h, () => r() * 2 - 1));
  const inputs = bufs.map((b, i) => E.input(`n${i}`, [1, 1, b.height, b.width]));
  const reg = noiseRegularization(inputs);
  const grads = E.grad(reg, inputs);
  const engine = makeEngine();
  const prog = await engine.compile({ reg, ...Object.fromEntries(grads.map((g, i) => [`g${i}`, g])) });
  const feeds = Object.fromEntries(bufs.map((b, i) => [`n${i}`, b.data]));
  const out = await prog.run(feeds);
  const expected = noiseRegularizationRef(bufs);
  assertClose(out.reg!.data, [expected], 1e-9, 1e-5, 'reg');
  // Central differences of the float64 reference on a few pixels of each buffer.
  for (const [i, b] of bufs.entries()) {
    for (const k of [0, 5, b.data.length - 1]) {
      const h = 1e-3;
      const plus = bufs.map((c, j) => (j === i ? { ...c, data: Float32Array.from(c.data, (v, m) => (m === k ? v + h : v)) } : c));
      const minus = bufs.map((c, j) => (j === i ? { ...c, data: Float32Array.from(c.data, (v, m) => (m === k ? v - h : v)) } : c));
      const fd = (noiseRegularizationRef(plus) - noiseRegularizationRef(minus)) / (2 * h);
      assertClose([out[`g${i}`]!.data[k]!], [fd], 1e-6, 2e-3, `d reg / d n${i}[${k}]`);
    }
  }
  await prog.dispose();
});

test('noise renormalisation: zero mean and unit mean square', () => {
  const r = rng(5);
  const buf = Float32Array.from({ length: 64 }, () => 3 + 2 * r());
  renormalizeNoise(buf);
  const mean = buf.reduce((a, b) => a + b, 0) / buf.length;
  const ms = buf.reduce((a, b) => a + b * b, 0) / buf.length;
  close(mean, 0, 1e-6);
  close(ms, 1, 1e-5);
});

test('area downsampling: k x k means (graph and reference agree; a non-dividing size uses torch adaptive bins)', async () => {
  const r = rng(9);
  const engine = makeEngine();
  for (const [n, size] of [[8, 4], [6, 4]] as const) {
    const x = Float32Array.from({ length: 2 * n * n }, () => r());
    const prog = await engine.compile({ y: areaDownsample(E.input('x', [1, 2, n, n]), size) });
    const y = (await prog.run({ x })).y!.data;
    assertClose(y, areaDownsampleRef(x, 2, n, size), 1e-6, 1e-6, `${n} -> ${size}`);
    await prog.dispose();
  }
  // By hand: 6 -> 4 bins are [0, 2), [1, 3), [3, 5), [4, 6) on each axis.
  const ramp = Float32Array.from({ length: 36 }, (_, i) => i % 6); // value = column
  const y = areaDownsampleRef(ramp, 1, 6, 4);
  assert.deepEqual(Array.from(y.subarray(0, 4)), [0.5, 1.5, 3.5, 4.5]);
  // 256 or smaller passes through unchanged.
  const small = E.input('s', [1, 3, 32, 32]);
  assert.equal(areaDownsample(small), small);
});

test('proj.png conversion: (x + 1) * 255 / 2, clamped and truncated (projector.py), not gen_images.py\'s rounding', () => {
  const img = Float32Array.of(-1, 1, 0, 0.999, -2, 5); // [1, 1, 1, 6]
  assert.deepEqual(Array.from(projectorUint8(img, 1, 1, 6)), [0, 255, 127, 254, 0, 255]);
});
