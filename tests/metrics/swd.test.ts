import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { laplacianPyramid, mirror, type Planes, pyrDown, pyrUp } from '../../src/metrics/laplacian.js';
import { radixSortFloat32, slicedWassersteinDistance, slicedWassersteinDistanceOnEngine } from '../../src/metrics/swd.js';
import { randint } from '../../src/random/randint.js';
import { createEngine } from '../../src/node.js';
import { readNpy } from '../../src/io/npy.js';
import { RandomState } from '../../src/random/numpy-random.js';
import { repoRoot } from '../fixtures.js';
import { shapeImage } from '../data/helpers.js';

const DATA = join(repoRoot, 'tests', 'metrics', 'data');

/** uint8 NCHW images from a .npy written by scripts/swd-reference.py. */
function images(name: string): Uint8Array {
  const t = readNpy(readFileSync(join(DATA, name)));
  assert.equal(t.dtype, 'uint8');
  return t.data as Uint8Array;
}

/** `n` shape images, uint8 NCHW [n, 3, R, R], optionally recoloured. */
function shapes(first: number, n: number, R: number, recolour = (v: number, _c: number) => v): Uint8Array {
  const out = new Uint8Array(n * 3 * R * R);
  for (let i = 0; i < n; i++) {
    const hwc = shapeImage(first + i, R);
    for (let c = 0; c < 3; c++) for (let p = 0; p < R * R; p++) out[(i * 3 + c) * R * R + p] = recolour(hwc[p * 3 + c]!, c);
  }
  return out;
}

const relClose = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol * Math.abs(b), `${what}: ${a} vs ${b}`);

describe('Laplacian pyramid', () => {
  it("mirror borders are scipy.ndimage's 'mirror' (d c b | a b c d | c b a)", () => {
    assert.deepEqual([-3, -2, -1, 0, 3, 4, 5, 6].map((i) => mirror(i, 4)), [3, 2, 1, 0, 3, 2, 1, 0]);
  });

  it('fast (separable) and reference (5x5) paths agree; the pyramid reconstructs the image', () => {
    const rs = new RandomState(1);
    const x: Planes = { data: Float32Array.from(rs.randomSamples(2 * 16 * 16), (v) => v * 255), count: 2, size: 16 };
    for (const f of [pyrDown, pyrUp]) {
      const fast = f(x);
      const ref = f(x, true);
      for (let i = 0; i < ref.data.length; i++) assert.ok(Math.abs(fast.data[i]! - ref.data[i]!) < 1e-3, `${f.name} at ${i}`);
    }
    // A constant image: pyrDown keeps it, so every band-pass level is ~0 (border mirroring included).
    const flat: Planes = { data: new Float32Array(16 * 16).fill(100), count: 1, size: 16 };
    const [band, low] = laplacianPyramid(flat, 2);
    assert.ok(band!.data.every((v) => Math.abs(v) < 1e-4) && low!.data.every((v) => Math.abs(v - 100) < 1e-4));
    // reconstruct_laplacian_pyramid: pyrUp(low) + band == image.
    const levels = laplacianPyramid(x, 3);
    let img = levels[2]!;
    for (const band2 of [levels[1]!, levels[0]!]) {
      const up = pyrUp(img);
      img = { ...up, data: up.data.map((v, i) => v + band2.data[i]!) };
    }
    for (let i = 0; i < x.data.length; i++) assert.ok(Math.abs(img.data[i]! - x.data[i]!) < 1e-2);
  });
});

describe('sliced Wasserstein distance', () => {
  it('randint is NumPy legacy RandomState.randint', () => {
    // np.random.RandomState(0).randint(3, 29, size=8); np.random.RandomState(5).randint(0, 2**31, size=5).
    const rs = new RandomState(0);
    assert.deepEqual(Array.from({ length: 8 }, () => randint(rs, 3, 29)), [15, 18, 24, 3, 6, 6, 10, 12]);
    const rs5 = new RandomState(5);
    assert.deepEqual(Array.from({ length: 5 }, () => randint(rs5, 0, 2 ** 31)), [953453411, 236996814, 1592283119, 1423042237, 887852006]);
  });

  it('radix sort orders float32 values as a comparison sort does', () => {
    const rs = new RandomState(4);
    const values = Float32Array.from(rs.randn(5000), (v, i) => (i % 7 === 0 ? v * 1e6 : i % 11 === 0 ? 0 : v));
    values.set([-0, Infinity, -Infinity, 1e-40, -1e-40], 100);
    const expected = Float32Array.from(values).sort();
    assert.deepEqual(radixSortFloat32(values), expected);
  });

  it('on ONNX Runtime equals the JavaScript path, and the engine releases its program', async () => {
    const o = { count: 2, channels: 3, resolution: 32, seed: 3 };
    const real = images('swd-real.npy').subarray(0, 2 * 3 * 32 * 32);
    const fake = images('swd-fake.npy').subarray(0, 2 * 3 * 32 * 32);
    const engine = createEngine({ threads: 1 });
    const js = slicedWassersteinDistance(real, fake, o);
    const ort = await slicedWassersteinDistanceOnEngine(real, fake, o, engine);
    assert.ok(engine.liveSessions > 0);
    for (const [i, l] of ort.levels.entries()) relClose(l.swd, js.levels[i]!.swd, 1e-5, `level ${l.resolution}`);
    await engine.dispose();
    assert.equal(engine.liveSessions, 0);
  });

  it('matches the official progressive_growing_of_gans code (scripts/swd-reference.py), fast and reference paths', () => {
    const ref = JSON.parse(readFileSync(join(DATA, 'swd-reference.json'), 'utf8')) as { seed: number; count: number; channels: number; resolution: number; levels: { resolution: number; swd: number }[]; mean: number };
    const o = { count: ref.count, channels: ref.channels, resolution: ref.resolution, seed: ref.seed };
    for (const reference of [false, true]) {
      const got = slicedWassersteinDistance(images('swd-real.npy'), images('swd-fake.npy'), { ...o, reference });
      assert.deepEqual(got.levels.map((l) => l.resolution), ref.levels.map((l) => l.resolution));
      for (const [i, l] of got.levels.entries()) relClose(l.swd, ref.levels[i]!.swd, 1e-4, `level ${l.resolution} (reference: ${reference})`);
      relClose(got.mean, ref.mean, 1e-4, 'mean');
    }
  });

  it('is smallest between a set and itself, symmetric, and grows with the difference', () => {
    const o = { count: 6, channels: 3, resolution: 16 };
    const a = shapes(0, 6, 16);
    const same = slicedWassersteinDistance(a, a, o).mean;
    const other = slicedWassersteinDistance(a, shapes(100, 6, 16), o).mean; // same distribution, other samples
    // A channel swap on half the colours changes the joint colour statistics (a uniform shift is normalised away).
    const swapped = shapes(100, 6, 16, (v, c) => (c === 0 ? 255 - v : v));
    const far = slicedWassersteinDistance(a, swapped, o).mean;
    const noise = Uint8Array.from(new RandomState(3).randomSamples(a.length), (v) => v * 255);
    const noisy = slicedWassersteinDistance(a, noise, o).mean;
    // Itself: only the random patch positions differ; other samples of the same shapes: a little more.
    assert.ok(same < other && 1.5 * other < far && 1.5 * other < noisy, `${same} < ${other} << ${far}, ${noisy}`);
    const ab = slicedWassersteinDistance(a, swapped, o);
    const ba = slicedWassersteinDistance(swapped, a, o);
    // Symmetric in the sets (the draws differ by which set takes which patch centres: equal within noise).
    relClose(ab.mean, ba.mean, 0.15, 'symmetry');
    assert.throws(() => slicedWassersteinDistance(a, a, { ...o, resolution: 8 }), /at least 16/);
    assert.throws(() => slicedWassersteinDistance(a, a.subarray(1), o), /fake images hold/);
  });
});
