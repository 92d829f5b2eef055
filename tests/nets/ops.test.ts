// StyleGAN ops: each fast formulation against the official reference formulation, and gradients vs finite differences.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { biasAct } from '../../src/nets/ops/bias-act.js';
import { conv2dResample, conv2dResampleRef } from '../../src/nets/ops/conv2d-resample.js';
import { modulatedConv2d } from '../../src/nets/ops/modulated-conv2d.js';
import { type Filter, setupFilter, upfirdn2d, upfirdn2dRef, type UpFirDnOptions } from '../../src/nets/ops/upfirdn2d.js';
import { assertClose, checkGrad, makeEngine, randomND, rng } from '../engine/harness.js';

const engine = makeEngine();
after(() => engine.dispose());

/** Runs two graphs on the same random inputs and compares them (and each against the reference interpreter). */
async function sameOutputs(shapes: number[][], fast: (xs: E.Tensor[]) => E.Tensor, ref: (xs: E.Tensor[]) => E.Tensor, seed = 1): Promise<void> {
  const r = rng(seed);
  const xs = shapes.map((s, i) => E.input(`x${i}`, s));
  const vals = shapes.map((s) => randomND(s, r));
  const a = fast(xs);
  const b = ref(xs);
  assert.deepEqual(a.shape, b.shape, 'output shapes');
  const prog = await engine.compile({ a, b });
  const out = await prog.run(Object.fromEntries(prog.inputs.map((inp) => [inp.name, Array.from(vals[Number(inp.name.slice(1))]!.data)])));
  await prog.dispose();
  assertClose(out.a!.data, out.b!.data, 1e-5, 1e-4, 'fast vs reference formulation');
  const [ra] = E.evaluate([a], Object.fromEntries(vals.map((v, i) => [`x${i}`, v])));
  assertClose(out.a!.data, ra!.data, 1e-5, 1e-4, 'onnxruntime vs reference interpreter');
}

const f4 = setupFilter([1, 3, 3, 1]);
// An asymmetric, non-separable filter catches flip and padding mistakes that [1,3,3,1] hides.
const fOdd: Filter = { data: Float32Array.from([1, 2, 0.5, -1, 3, 0.25]), shape: [2, 3] };

describe('upfirdn2d: fast path equals the official _upfirdn2d_ref', () => {
  const cases: [string, Filter, UpFirDnOptions][] = [
    ['up 2, pad [2,1,2,1], gain 4 (upsample2d)', f4, { up: 2, padding: [2, 1, 2, 1], gain: 4 }],
    ['down 2, pad [1,1,1,1] (downsample2d)', f4, { down: 2, padding: 1 }],
    ['filter only, pad 1', f4, { padding: 1 }],
    ['up 2, negative pad [-1,0,1,-2]', fOdd, { up: 2, padding: [-1, 0, 1, -2], gain: 4 }],
    ['up 2, pad [3,0,0,3], flipFilter', fOdd, { up: 2, padding: [3, 0, 0, 3], flipFilter: true }],
    ['down 2, pad [0,2,1,1], asymmetric filter', fOdd, { down: 2, padding: [0, 2, 1, 1] }],
    ['up 2 and down 2', fOdd, { up: 2, down: 2, padding: 1 }],
    ['up 3', f4, { up: 3, padding: [2, 2, 2, 2], gain: 9 }],
  ];
  for (const [name, f, o] of cases) {
    test(`${name}, x=[2,3,5,6]`, () => sameOutputs([[2, 3, 5, 6]], ([x]) => upfirdn2d(x!, f, o), ([x]) => upfirdn2dRef(x!, f, o)));
  }
  test('upsampling a delta gives the 2-D filter times gain (hand-checked)', async () => {
    const x = E.constant(Float32Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]), [1, 1, 3, 3]);
    const [y] = E.evaluate([upfirdn2dRef(x, f4, { up: 2, padding: [2, 1, 2, 1], gain: 4 })], {});
    // The delta at (1,1) lands at (2,2) of the 6x6 output; the 4x4 filter is centred on it.
    const expected = new Float64Array(36);
    const k = [1, 3, 3, 1].map((v) => v / 8);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i + 1 < 6 && j + 1 < 6) expected[(i + 1) * 6 + j + 1] = k[i]! * k[j]! * 4;
    assertClose(y!.data, expected, 1e-12, 0, 'upsampled delta');
  });
  test('gradient of the fast path (first and second order)', () => checkGrad(engine, { build: ([x]) => upfirdn2d(x!, fOdd, { up: 2, down: 1, padding: [1, 0, 2, 1] }), shapes: [[1, 2, 3, 4]] }));
});

describe('conv2d_resample: official fast paths equal the generic fallback', () => {
  const cases: [string, number[], Parameters<typeof conv2dResample>[2]][] = [
    ['3x3 up 2, pad 1, flipWeight false (SynthesisLayer conv0)', [4, 3, 3, 3], { f: f4, up: 2, padding: 1, flipWeight: false }],
    ['3x3 up 2 as polyphase convs', [4, 3, 3, 3], { f: f4, up: 2, padding: 1, flipWeight: false, polyphase: true }],
    ['4x4 up 2, flipWeight true, asymmetric filter', [4, 3, 4, 4], { f: fOdd, up: 2, padding: 1 }],
    ['4x4 up 2, flipWeight true, asymmetric filter, polyphase', [4, 3, 4, 4], { f: fOdd, up: 2, padding: 1, polyphase: true }],
    ['3x3 up 3, pad 1', [4, 3, 3, 3], { f: f4, up: 3, padding: 1, flipWeight: false }],
    ['3x3 up 3, pad 1, polyphase', [4, 3, 3, 3], { f: f4, up: 3, padding: 1, flipWeight: false, polyphase: true }],
    ['3x3 down 2, pad 1 (DiscriminatorBlock conv1)', [4, 3, 3, 3], { f: f4, down: 2, padding: 1 }],
    ['1x1 up 2 (resnet skip in G)', [4, 3, 1, 1], { f: f4, up: 2, flipWeight: false }],
    ['1x1 down 2 (resnet skip in D)', [4, 3, 1, 1], { f: f4, down: 2 }],
    ['3x3 up 2 groups 3', [6, 1, 3, 3], { f: f4, up: 2, padding: 1, groups: 3, flipWeight: false }],
    ['3x3 plain, pad 1', [4, 3, 3, 3], { padding: 1 }],
    ['3x3 plain, asymmetric pad', [4, 3, 3, 3], { padding: [1, 0, 2, 1] }],
  ];
  for (const [name, wShape, o] of cases) {
    test(name, () => sameOutputs([[2, 3, 6, 6], wShape], ([x, w]) => conv2dResample(x!, w!, o), ([x, w]) => conv2dResampleRef(x!, w!, o)));
  }
});

describe('modulated_conv2d: fast (activation scaling) equals official fused (per-sample weights)', () => {
  for (const [name, o] of [
    ['demodulated, pad 1, noise', { padding: 1, demodulate: true, withNoise: true }],
    ['demodulated, up 2', { padding: 1, up: 2, resampleFilter: f4, flipWeight: false }],
    ['toRGB: 1x1 without demodulation', { demodulate: false }],
  ] as const) {
    test(`${name}, batch 2`, () => {
      const kernel = name.startsWith('toRGB') ? 1 : 3;
      const build = (fused: boolean) => ([x, w, s, n]: E.Tensor[]) => {
        const { withNoise, ...rest } = o as typeof o & { withNoise?: boolean };
        return modulatedConv2d(x!, w!, E.add(s!, 1.5), { ...rest, noise: withNoise ? n! : null, fused });
      };
      return sameOutputs([[2, 3, 5, 5], [4, 3, kernel, kernel], [2, 3], [2, 1, 5, 5]], build(false), build(true));
    });
  }
  test('gradients with respect to styles and input (DragGAN and path length need them)', () =>
    checkGrad(engine, {
      build: ([x, s]) => modulatedConv2d(x!, E.constant(randomND([2, 2, 3, 3], rng(4)).data, [2, 2, 3, 3]), E.add(s!, 2), { padding: 1 }),
      shapes: [[1, 2, 4, 4], [1, 2]],
    }));
});

describe('bias_act', () => {
  test('lrelu with gain and clamp follows the official order (bias, act, gain, clamp)', () => {
    const x = E.constant(Float32Array.from([-3, -1, 0.5, 200]), [1, 4, 1, 1]);
    const b = E.constant(Float32Array.from([1, 0, 0.5, 0]), [4]);
    const [y] = E.evaluate([biasAct(x, { b, act: 'lrelu', clamp: 256 })], {});
    const g = Math.SQRT2;
    assertClose(y!.data, [-2 * 0.2 * g, -0.2 * g, 1 * g, 256], 1e-12, 0, 'bias_act');
  });
});
