// Quality metrics logged at snapshots: the sliced Wasserstein distance (Karras et al. 2018) between G_ema's
// images for seeds 0..N-1 (psi 1, const noise, as `stylelab metrics`) and a fixed sample of the real images.
import type { Engine } from '../engine/runtime.js';
import { toUint8Image } from '../models/generate.js';
import { slicedWassersteinDistanceOnEngine } from '../metrics/swd.js';
import { zFromSeed } from '../random/numpy-random.js';
import type { TrainingData } from './loop.js';
import type { TrainableGenerator } from './networks.js';

/**
 * NCHW uint8 of images [N, C, R, R] in [-1, 1], converted as gen_images.py.
 * @example const u8 = toUint8Nchw(img, 4, 3, 64);
 */
export function toUint8Nchw(img: Float32Array, n: number, C: number, R: number): Uint8Array {
  const out = new Uint8Array(n * C * R * R);
  for (let k = 0; k < n; k++) {
    const hwc = toUint8Image(img, C, R, R, k); // [R, R, C]
    for (let p = 0; p < R * R; p++) for (let ch = 0; ch < C; ch++) out[k * C * R * R + ch * R * R + p] = hwc[p * C + ch]!;
  }
  return out;
}

/**
 * A snapshot metric: SWD (x1e3, mean over pyramid levels, plus each level) of the generator against `count`
 * real images (the first `count` of the data set, x-flips not included).
 * @example const metrics = await swdMetric(engine, data, 256); record = await metrics(G_ema, render);
 */
export async function swdMetric(
  engine: Engine,
  data: TrainingData,
  count: number,
): Promise<(G: TrainableGenerator, render: (z: Float32Array, c: Float32Array) => Promise<Float32Array>) => Promise<Record<string, number>>> {
  const n = Math.min(count, data.size);
  const { channels: C, resolution: R, labelDim } = data;
  const reals = new Uint8Array(n * C * R * R);
  const labels = new Float32Array(n * labelDim);
  for (let i = 0; i < n; i++) {
    reals.set(await data.image(i), i * C * R * R);
    labels.set(data.label(i), i * labelDim);
  }
  return async (G, render) => {
    const z = new Float32Array(n * G.zDim);
    for (let s = 0; s < n; s++) z.set(zFromSeed(s, G.zDim), s * G.zDim);
    const fakes = toUint8Nchw(await render(z, labels), n, C, R);
    const swd = await slicedWassersteinDistanceOnEngine(reals, fakes, { count: n, channels: C, resolution: R }, engine);
    const out: Record<string, number> = { 'Metrics/swd': swd.mean };
    for (const l of swd.levels) out[`Metrics/swd${l.resolution}`] = l.swd;
    return out;
  };
}
