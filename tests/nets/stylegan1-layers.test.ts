// StyleGAN (v1) layers against plain-TypeScript versions of the official TensorFlow ops: the equalized-lr
// scaling, the upscale/downscale convs (fast path = separate-op reference = TF semantics, fused and not),
// blur, instance norm with the style modulation (AdaIN), lerp_clip.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import type { TensorData } from '../../src/io/tensor.js';
import { addBias, blur2d, conv2d, conv2dDownscale2d, dense, downscale2d, fusedScale, GAIN, instanceNorm, lerpClip, styleMod, upscale2d, upscaleConv2d, wscale } from '../../src/nets/stylegan1/layers.js';
import { Weights } from '../../src/nets/weights.js';
import { assertClose, makeEngine } from '../engine/harness.js';
import { convSame, randomData, run, upscaleNearest } from './stylegan1-helpers.js';

const engine = makeEngine();
after(() => engine.dispose());

const td = (shape: number[], data: Float32Array): TensorData => ({ dtype: 'float32', shape, data });
const scaled = (w: Float32Array, c: number) => w.map((v) => v * c);

test('equalized lr: dense and conv use weight * gain / sqrt(fan_in) * lrmul at run time, bias * lrmul', async () => {
  const P = new Weights(new Map([['d.weight', td([3, 4], new Float32Array(12).fill(1))], ['d.bias', td([3], Float32Array.of(1, 2, 3))]])).scope('d');
  const x = E.input('x', [1, 4]);
  const out = await run(engine, { y: addBias(P, dense(P, x, GAIN, 0.01), 0.01) }, { x: Float32Array.of(1, 2, 3, 4) });
  const coef = (Math.SQRT2 / Math.sqrt(4)) * 0.01;
  assert.ok(Math.abs(wscale(4, Math.SQRT2, 0.01) - coef) < 1e-15);
  assertClose(out.y!, [10 * coef + 0.01, 10 * coef + 0.02, 10 * coef + 0.03], 1e-7, 1e-6, 'dense');
  // conv: fan_in = k * k * in.
  const w = randomData(2 * 3 * 9, 1);
  const xs = randomData(2 * 3 * 25, 2);
  const C = new Weights(new Map([['c.weight', td([2, 3, 3, 3], w)]])).scope('c');
  const res = await run(engine, { y: conv2d(C, E.input('x', [2, 3, 5, 5]), GAIN) }, { x: xs });
  assertClose(res.y!, convSame(xs, 2, 3, 5, scaled(w, Math.SQRT2 / Math.sqrt(27)), 2, 3), 1e-5, 1e-5, 'conv');
});

/** TensorFlow's conv2d_transpose (stride 2, 'SAME', 4x4 kernel): the adjoint of a stride-2 conv padded 1 before. */
function tfConvTranspose(x: Float32Array, N: number, I: number, H: number, K: Float32Array, O: number): Float32Array {
  const W = 2 * H;
  const out = new Float32Array(N * O * W * W);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      for (let i = 0; i < I; i++) {
        for (let y = 0; y < H; y++) {
          for (let xx = 0; xx < H; xx++) {
            const v = x[((n * I + i) * H + y) * H + xx]!;
            for (let a = 0; a < 4; a++) {
              for (let b = 0; b < 4; b++) {
                const oy = 2 * y + a - 1;
                const ox = 2 * xx + b - 1;
                if (oy >= 0 && oy < W && ox >= 0 && ox < W) out[((n * O + o) * W + oy) * W + ox] += v * K[((o * I + i) * 4 + a) * 4 + b]!;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/** The official fused kernel: w [O, I, 3, 3] padded by 1 and summed over the four 1-pixel shifts. */
function fusedKernel(w: Float32Array, O: number, I: number): Float32Array {
  const K = new Float32Array(O * I * 16);
  const at = (oi: number, u: number, v: number) => (u >= 1 && u <= 3 && v >= 1 && v <= 3 ? w[oi * 9 + (u - 1) * 3 + (v - 1)]! : 0);
  for (let oi = 0; oi < O * I; oi++) for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) K[oi * 16 + a * 4 + b] = at(oi, a + 1, b + 1) + at(oi, a, b + 1) + at(oi, a + 1, b) + at(oi, a, b);
  return K;
}

for (const H of [4, 64]) {
  test(`upscale conv ${H} -> ${2 * H} (${fusedScale(2 * H) ? 'fused: TF conv2d_transpose' : 'separate: nearest upscale + conv'}): fast = reference = TF semantics`, async () => {
    const [N, I, O] = [2, 3, 2];
    const w = randomData(O * I * 9, 3);
    const P = new Weights(new Map([['c.weight', td([O, I, 3, 3], w)]])).scope('c');
    const x = E.input('x', [N, I, H, H]);
    const xs = randomData(N * I * H * H, 4);
    const out = await run(engine, { fast: upscaleConv2d(P, x, GAIN), ref: upscaleConv2d(P, x, GAIN, true) }, { x: xs });
    const ws = scaled(w, Math.SQRT2 / Math.sqrt(I * 9));
    const expected = fusedScale(2 * H) ? tfConvTranspose(xs, N, I, H, fusedKernel(ws, O, I), O) : convSame(upscaleNearest(xs, N, I, H, 2), N, I, 2 * H, ws, O, 3);
    assertClose(out.ref!, expected, 1e-5, 1e-4, 'reference vs TF semantics');
    assertClose(out.fast!, expected, 1e-5, 1e-4, 'fast vs TF semantics');
  });
}

for (const H of [8, 128]) {
  test(`conv downscale ${H} -> ${H / 2}: fast (strided 4x4 conv) = reference (conv, then 2x2 average) = plain TS`, async () => {
    const [N, I, O] = [2, 2, 3];
    const w = randomData(O * I * 9, 5);
    const P = new Weights(new Map([['c.weight', td([O, I, 3, 3], w)]])).scope('c');
    const x = E.input('x', [N, I, H, H]);
    const xs = randomData(N * I * H * H, 6);
    const out = await run(engine, { fast: conv2dDownscale2d(P, x, GAIN), ref: conv2dDownscale2d(P, x, GAIN, true) }, { x: xs });
    const full = convSame(xs, N, I, H, scaled(w, Math.SQRT2 / Math.sqrt(I * 9)), O, 3);
    const h = H / 2;
    const expected = new Float32Array(N * O * h * h).map((_, idx) => {
      const nc = Math.floor(idx / (h * h));
      const y = Math.floor((idx % (h * h)) / h);
      const xx = idx % h;
      const at = (dy: number, dx: number) => full[nc * H * H + (2 * y + dy) * H + 2 * xx + dx]!;
      return (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4;
    });
    assertClose(out.ref!, expected, 1e-5, 1e-4, 'reference');
    assertClose(out.fast!, expected, 1e-5, 1e-4, 'fast');
  });
}

test('blur [1, 2, 1]: fast (separable) = reference (2-D) = depthwise SAME conv; upscale2d / downscale2d', async () => {
  const [N, C, H] = [1, 2, 6];
  const x = E.input('x', [N, C, H, H]);
  const xs = randomData(N * C * H * H, 7);
  const out = await run(engine, { fast: blur2d(x, [1, 2, 1]), ref: blur2d(x, [1, 2, 1], true), up: upscale2d(x), down: downscale2d(x) }, { x: xs });
  const f = [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16);
  const expected = new Float32Array(N * C * H * H);
  for (let c = 0; c < C; c++) {
    const w = new Float32Array(9).map((_, i) => f[i]!);
    expected.set(convSame(xs.subarray(c * H * H, (c + 1) * H * H), 1, 1, H, w, 1, 3), c * H * H);
  }
  assertClose(out.ref!, expected, 1e-6, 1e-5, 'reference');
  assertClose(out.fast!, expected, 1e-6, 1e-5, 'fast');
  assertClose(out.up!, upscaleNearest(xs, N, C, H, 2), 0, 0, 'upscale2d');
  assert.equal(out.down!.length, N * C * 9);
  assert.ok(Math.abs(out.down![0]! - (xs[0]! + xs[1]! + xs[6]! + xs[7]!) / 4) < 1e-6, 'downscale2d averages 2x2 blocks');
});

test('AdaIN: instance norm then x * (scale + 1) + bias with styles = dense(w) + bias (gain 1), against plain TS', async () => {
  const [N, C, H, D] = [2, 3, 4, 5];
  const wt = randomData(2 * C * D, 8);
  const bias = randomData(2 * C, 9);
  const P = new Weights(new Map([['s.weight', td([2 * C, D], wt)], ['s.bias', td([2 * C], bias)]])).scope('s');
  const x = E.input('x', [N, C, H, H]);
  const w = E.input('w', [N, D]);
  const xs = randomData(N * C * H * H, 10).map((v) => 3 * v + 1);
  const wsData = randomData(N * D, 11);
  const out = await run(engine, { y: styleMod(P, instanceNorm(x), w) }, { x: xs, w: wsData });
  const coef = 1 / Math.sqrt(D);
  const expected = new Float32Array(N * C * H * H);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = xs.subarray((n * C + c) * H * H, (n * C + c + 1) * H * H);
      const mean = plane.reduce((a, b) => a + b, 0) / plane.length;
      const v = plane.reduce((a, b) => a + (b - mean) ** 2, 0) / plane.length;
      const style = (j: number) => bias[j]! + Array.from({ length: D }, (_, d) => wsData[n * D + d]! * wt[j * D + d]! * coef).reduce((a, b) => a + b, 0);
      const [s, b] = [style(c), style(C + c)];
      plane.forEach((p, i) => (expected[(n * C + c) * H * H + i] = ((p - mean) / Math.sqrt(v + 1e-8)) * (s + 1) + b));
    }
  }
  assertClose(out.y!, expected, 1e-5, 1e-4, 'AdaIN');
});

test('lerp_clip clips the fade to [0, 1]', async () => {
  const a = E.constant([1, 1], [2]);
  const b = E.constant([3, 5], [2]);
  const t = E.input('t', []);
  for (const [tv, expected] of [[-0.5, [1, 1]], [0.25, [1.5, 2]], [1, [3, 5]], [2, [3, 5]]] as const) {
    const out = await run(engine, { y: lerpClip(a, b, t) }, { t: [tv] });
    assertClose(out.y!, expected, 1e-6, 0, `t = ${tv}`);
  }
});
