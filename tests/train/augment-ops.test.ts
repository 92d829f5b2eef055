// Each ADA op on its own, forced on (p = 1, gate draws 0) with chosen draws, checked for its effect on images.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { augmentSpec, type AugmentSpec } from '../../src/train/augment.js';
import { assertClose, makeEngine } from '../engine/harness.js';
import { augmenter, images, makeDraws, maxDiff } from './augment-helpers.js';

const engine = makeEngine();
after(() => engine.dispose());

const N = 2;
const C = 3;
const S = 16; // square images S x S
const at = (x: ArrayLike<number>, n: number, c: number, i: number, j: number, ch = C, h = S, w = S) => x[((n * ch + c) * h + i) * w + j]!;

/** Runs one op forced on (every gate 0 < p) with the given value draws. */
async function forced(spec: Partial<AugmentSpec>, x: ArrayLike<number>, values: Record<string, number | number[]>, shape = [N, C, S, S]): Promise<Float32Array> {
  const aug = await augmenter(engine, shape, augmentSpec('blit', { xflip: 0, rotate90: 0, xint: 0, ...spec }));
  const gates = Object.fromEntries(aug.inputs.filter((i) => i.name.endsWith('_gate')).map((i) => [i.name, 0]));
  try {
    return await aug.run(x, 1, makeDraws(aug.inputs, 1, { ...gates, ...values }));
  } finally {
    await aug.dispose();
  }
}

/** Expected output from a per-pixel function of (n, c, i, j). */
function expected(f: (n: number, c: number, i: number, j: number) => number, shape = [N, C, S, S]): Float64Array {
  const [n0, c0, h, w] = shape as [number, number, number, number];
  const out = new Float64Array(n0 * c0 * h * w);
  for (let n = 0; n < n0; n++) for (let c = 0; c < c0; c++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[((n * c0 + c) * h + i) * w + j] = f(n, c, i, j);
  return out;
}

/** Images whose value is the column index (a ramp along x), for the geometric ops. */
const rampX = expected((_n, _c, _i, j) => j);
/** Interior pixels (the border sees reflected content, which is not a ramp). */
const interior = (y: ArrayLike<number>, ref: ArrayLike<number>, lo: number, hi: number) => {
  const pick = (a: ArrayLike<number>) => Array.from(expected((n, c, i, j) => (i >= lo && i < hi && j >= lo && j < hi ? at(a, n, c, i, j) : 0)));
  return [pick(y), pick(ref)] as const;
};

describe('augmentation ops', () => {
  const x = images([N, C, S, S], 21);

  // Flips and quarter turns pass through the same wavelet resampling as every geometric op (as the official
  // does), which shifts them by about 0.1 pixel: checked on smooth images, where that costs little.
  const smooth = expected((n, c, i, j) => Math.sin(0.1 * j + 0.07 * i + n + c) + 0.5 * Math.cos(0.08 * i - 0.03 * j));
  const flipped = expected((n, c, i, j) => at(smooth, n, c, i, S - 1 - j));
  const quarter = expected((n, c, i, j) => at(smooth, n, c, j, S - 1 - i));

  test('xflip mirrors left-right', async () => {
    const y = await forced({ xflip: 1 }, smooth, { aug_xflip: 0.75 }); // floor(0.75 * 2) = 1
    assertClose(y, flipped, 0.02, 0, 'xflip');
    assert.ok(maxDiff(y, smooth) > 0.5, 'the image changed');
    const same = await forced({ xflip: 1 }, x, { aug_xflip: 0.25 }); // i = 0: no flip
    assertClose(same, x, 1e-4, 0, 'xflip with i = 0');
  });

  test('rotate90 rotates by a quarter turn (and by two quarters)', async () => {
    const y = await forced({ rotate90: 1 }, smooth, { aug_rotate90: 0.3 }); // floor(0.3 * 4) = 1
    assertClose(y, quarter, 0.02, 0, 'rotate90 x1');
    const y2 = await forced({ rotate90: 1 }, smooth, { aug_rotate90: 0.6 }); // 2 quarters
    assertClose(y2, expected((n, c, i, j) => at(smooth, n, c, S - 1 - i, S - 1 - j)), 0.03, 0, 'rotate90 x2');
  });

  test('integer translation shifts by whole pixels with reflected borders', async () => {
    // t = (u * 2 - 1) * 0.125 * 16: u = 0.75 gives +1 pixel in x, u = 0.25 gives -1 pixel in y.
    const y = await forced({ xint: 1 }, x, { aug_xint: [0.75, 0.25, 0.75, 0.25] });
    const refl = (k: number) => (k < 0 ? -k : k >= S ? 2 * (S - 1) - k : k);
    assertClose(y, expected((n, c, i, j) => at(x, n, c, refl(i + 1), refl(j - 1))), 1e-4, 0, 'xint');
  });

  test('arbitrary rotation by 90 degrees equals the quarter turn', async () => {
    // theta = (u * 2 - 1) * pi: u = 0.75 is pi / 2 for the pre-rotation; the post-rotation is gated off.
    const y = await forced({ rotate: 1 }, x, { aug_rotate_pre: 0.75, aug_rotate_post_gate: 1 });
    assertClose(y, await forced({ rotate90: 1 }, x, { aug_rotate90: 0.3 }), 1e-4, 0, 'rotate pi/2');
  });

  // Magnifying by 2 shifts by about 0.025 pixel: the wavelet filter's delay is compensated at the original scale only.
  test('isotropic scaling by 2 magnifies about the centre', async () => {
    const y = await forced({ scale: 1 }, rampX, { aug_scale: 5 }); // 2^(5 * 0.2) = 2
    const [got, want] = interior(y, expected((_n, _c, _i, j) => (S - 1) / 2 + (j - (S - 1) / 2) / 2), 0, S);
    assertClose(got, want, 0.03, 0, 'scale 2');
  });

  test('anisotropic scaling stretches x and squeezes y', async () => {
    const y = await forced({ aniso: 1 }, rampX, { aug_aniso: 5 }); // s = 2: x magnified by 2, y shrunk by 2
    const [got, want] = interior(y, expected((_n, _c, _i, j) => (S - 1) / 2 + (j - (S - 1) / 2) / 2), 0, S);
    assertClose(got, want, 0.03, 0, 'aniso x');
    const rampY = expected((_n, _c, i) => i);
    const yy = await forced({ aniso: 1 }, rampY, { aug_aniso: 5 });
    const [g2, w2] = interior(yy, expected((_n, _c, i) => (S - 1) / 2 + (i - (S - 1) / 2) * 2), 6, S - 6);
    assertClose(g2, w2, 0.1, 0, 'aniso y'); // slope 2: within 0.05 pixel
  });

  test('fractional translation shifts by sub-pixel amounts', async () => {
    const y = await forced({ xfrac: 1 }, rampX, { aug_xfrac: [0.25, 0, 0.25, 0] }); // 0.25 * 0.125 * 16 = 0.5 px
    const [got, want] = interior(y, expected((_n, _c, _i, j) => j - 0.5), 5, S - 5);
    assertClose(got, want, 2e-3, 0, 'xfrac');
    const whole = await forced({ xfrac: 1 }, x, { aug_xfrac: [0.5, -1, 0.5, -1] }); // (+1, -2) pixels: exact
    const refl = (k: number) => (k < 0 ? -k : k >= S ? 2 * (S - 1) - k : k);
    assertClose(whole, expected((n, c, i, j) => at(x, n, c, refl(i + 2), refl(j - 1))), 1e-4, 0, 'xfrac by whole pixels');
  });

  test('brightness adds the same offset to every channel', async () => {
    const y = await forced({ brightness: 1 }, x, { aug_brightness: [1, -2] }); // b = 0.2, -0.4
    assertClose(y, expected((n, c, i, j) => at(x, n, c, i, j) + (n ? -0.4 : 0.2)), 1e-5, 0, 'brightness');
  });

  test('contrast scales about zero (mid-grey of [-1, 1]), as the official', async () => {
    const y = await forced({ contrast: 1 }, x, { aug_contrast: [2, -2] }); // c = 2^(2 * 0.5) = 2, 1/2
    assertClose(y, expected((n, c, i, j) => at(x, n, c, i, j) * (n ? 0.5 : 2)), 1e-5, 0, 'contrast');
  });

  const luma = (a: ArrayLike<number>, n: number, i: number, j: number) => (at(a, n, 0, i, j) + at(a, n, 1, i, j) + at(a, n, 2, i, j)) / 3;

  test('luma flip negates luma and keeps chroma', async () => {
    const y = await forced({ lumaflip: 1 }, x, { aug_lumaflip: 0.75 });
    assertClose(y, expected((n, c, i, j) => at(x, n, c, i, j) - 2 * luma(x, n, i, j)), 1e-5, 0, 'lumaflip');
  });

  test('hue rotation by 120 degrees cycles the channels; any angle keeps luma and chroma magnitude', async () => {
    const y = await forced({ hue: 1 }, x, { aug_hue: 5 / 6 }); // theta = (5/3 - 1) pi = 2 pi / 3
    assertClose(y, expected((n, c, i, j) => at(x, n, (c + 2) % 3, i, j)), 1e-5, 0, 'hue 120');
    const z = await forced({ hue: 1 }, x, { aug_hue: [0.1, 0.65] });
    const chroma = (a: ArrayLike<number>, n: number, i: number, j: number) => Math.hypot(...[0, 1, 2].map((c) => at(a, n, c, i, j) - luma(a, n, i, j)));
    assertClose(expected((n, _c, i, j) => luma(z, n, i, j)), expected((n, _c, i, j) => luma(x, n, i, j)), 1e-5, 0, 'hue keeps luma');
    assertClose(expected((n, _c, i, j) => chroma(z, n, i, j)), expected((n, _c, i, j) => chroma(x, n, i, j)), 1e-5, 0, 'hue keeps chroma');
    assert.ok(Math.abs(at(z, 0, 0, 3, 3) - at(x, 0, 0, 3, 3)) > 1e-3, 'hue changes the colours');
  });

  test('saturation scales chroma about luma; saturation near 0 gives grey', async () => {
    const grey = await forced({ saturation: 1 }, x, { aug_saturation: -40 }); // s = 2^-40
    assertClose(grey, expected((n, _c, i, j) => luma(x, n, i, j)), 1e-5, 0, 'saturation 0');
    const vivid = await forced({ saturation: 1 }, x, { aug_saturation: 1 }); // s = 2
    assertClose(vivid, expected((n, c, i, j) => luma(x, n, i, j) + 2 * (at(x, n, c, i, j) - luma(x, n, i, j))), 1e-5, 0, 'saturation 2');
  });

  test('greyscale images take the mean of the colour matrix rows', async () => {
    const shape = [N, 1, S, S];
    const g = images(shape, 5);
    const y = await forced({ brightness: 1, contrast: 1, lumaflip: 1 }, g, { aug_brightness: 1, aug_contrast: 2, aug_lumaflip: 0.75 }, shape);
    // brightness 0.2, then contrast 2, then luma flip: -(2 (x + 0.2)).
    assertClose(y, expected((n, c, i, j) => -2 * (at(g, n, c, i, j, 1) + 0.2), shape), 1e-5, 0, 'greyscale');
  });

  test('additive noise adds sigma-scaled normals', async () => {
    const noise = images([N, C, S, S], 8);
    const y = await forced({ noise: 1 }, x, { aug_noise_sigma: [-2, 1], aug_noise: Array.from(noise) }); // sigma = |n| * 0.1
    assertClose(y, expected((n, c, i, j) => at(x, n, c, i, j) + at(noise, n, c, i, j) * (n ? 0.1 : 0.2)), 1e-5, 0, 'noise');
  });

  test('cutout zeroes a centred square of half the size', async () => {
    const y = await forced({ cutout: 1 }, x, { aug_cutout_center: [0.5, 0.5, 0.25, 0.75] });
    const inside = (n: number, i: number, j: number) => {
      const [cx, cy] = n ? [0.25, 0.75] : [0.5, 0.5];
      return Math.abs((j + 0.5) / S - cx) < 0.25 && Math.abs((i + 0.5) / S - cy) < 0.25;
    };
    assertClose(y, expected((n, c, i, j) => (inside(n, i, j) ? 0 : at(x, n, c, i, j))), 1e-6, 0, 'cutout');
  });

  test('image-space filtering with unit band gains is the identity; amplifying the low band scales the mean', async () => {
    const shape = [1, 3, 32, 32];
    const big = images(shape, 4);
    const unit = await forced({ imgfilter: 1 }, big, { aug_imgfilter0: 0, aug_imgfilter1: 0, aug_imgfilter2: 0, aug_imgfilter3: 0 }, shape);
    assertClose(unit, big, 1e-4, 0, 'unit gains');
    const flat = new Float64Array(big.length).fill(0.5);
    const lo = await forced({ imgfilter: 1, imgfilterBands: [1, 0, 0, 0] }, flat, { aug_imgfilter0: 1 }, shape); // t = 2 on band 0
    const gain = 2 / Math.sqrt((10 / 13) * 4 + 3 / 13); // normalised power; the filter runs along x and along y
    assertClose(lo, new Float64Array(big.length).fill(0.5 * gain * gain), 1e-4, 0, 'low band x2');
  });

  test('a gate at or above the probability leaves the op off', async () => {
    const aug = await augmenter(engine, [N, C, S, S], augmentSpec('color'));
    const draws = makeDraws(aug.inputs, 3, Object.fromEntries(aug.inputs.filter((i) => i.name.endsWith('_gate')).map((i) => [i.name, 0.5])));
    assertClose(await aug.run(x, 0.5, draws), x, 1e-5, 0, 'gates at p'); // 0.5 < 0.5 is false
    assert.ok((await aug.run(x, 0.51, draws)).some((v, k) => Math.abs(v - x[k]!) > 1e-3), 'gates below p');
    await aug.dispose();
  });
});
