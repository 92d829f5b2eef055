// Perceptual path length (Karras et al. 2019, StyleGAN, section 4.2) as stylegan2-ada's perceptual_path_length.py:
// pairs of images epsilon apart on an interpolation path in Z (slerp) or W (lerp), at a random t ('full') or at
// t = 0 ('end'); LPIPS between them / epsilon^2; the mean over the samples between the 1st and 99th percentile.
// As the official sampler: one random noise map per layer shared by the whole batch (noise_const randomised,
// noise_mode 'const'), the optional face crop, 2x2-style averaging down to 256x256, grayscale repeated to RGB.
// The official feeds [0, 255] images to NVIDIA's LPIPS VGG16, which maps them back to [-1, 1]; ours takes [-1, 1].
import * as E from '../engine/index.js';
import { InputError } from '../errors.js';
import type { Generator } from '../models/generator.js';
import { randint } from '../random/randint.js';
import { RandomState } from '../random/numpy-random.js';
import type { Lpips } from './lpips.js';
import type { MetricContext, MetricDef } from './metric.js';

/** The sampler's settings (PPLSampler's arguments). */
export interface PplOptions {
  space: 'z' | 'w';
  sampling: 'full' | 'end';
  crop: boolean;
  epsilon: number;
}

/**
 * Spherical interpolation of unit-normalised a and b [dims] at t (the official slerp).
 * @example slerp(z0, z1, 0.5)
 */
export function slerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float64Array {
  const n = a.length;
  const unit = (v: ArrayLike<number>) => {
    const norm = Math.hypot(...Array.from(v));
    return Float64Array.from(v, (x) => x / norm);
  };
  const ua = unit(a);
  const ub = unit(b);
  let d = 0;
  for (let i = 0; i < n; i++) d += ua[i]! * ub[i]!;
  const p = t * Math.acos(Math.min(1, Math.max(-1, d)));
  const c = unit(Float64Array.from(ub, (v, i) => v - d * ua[i]!));
  return unit(Float64Array.from(ua, (v, i) => v * Math.cos(p) + c[i]! * Math.sin(p)));
}

/**
 * The distances graph for `batch` pairs: input 'ws' [2 batch, numWs, wDim] (the t0 images, then the t1 images),
 * output 'dist' [batch] = LPIPS(img0, img1) / epsilon^2.
 * @example const { dist } = pplGraph(G, lpips, 4, { space: 'w', sampling: 'end', crop: false, epsilon: 1e-4 });
 */
export function pplGraph(G: Generator, lpips: Lpips, batch: number, o: PplOptions): { dist: E.Tensor } {
  let img = G.synthesisGraph(2 * batch, { noiseMode: 'random' }).img; // [2B, C, R, R]
  const R = G.imgResolution;
  if (o.crop) {
    const c = Math.floor(R / 8);
    img = E.slice(img, [{ axis: 2, start: c * 3, end: c * 7 }, { axis: 3, start: c * 2, end: c * 6 }]); // [2B, C, 4c, 4c]
  }
  const factor = Math.floor(R / 256);
  if (factor > 1) {
    const [N, C, H, W] = img.shape as number[];
    img = E.mean(E.reshape(img, [N!, C!, H! / factor, factor, W! / factor, factor]), [3, 5]);
  }
  if (G.imgChannels === 1) img = E.tile(img, [1, 3, 1, 1]);
  if (img.shape[2]! < 16) throw new InputError(`PPL needs images of at least 16x16 for LPIPS, got ${img.shape[2]}x${img.shape[3]}${o.crop ? ' after the crop' : ''}`);
  const x0 = E.slice(img, [{ axis: 0, start: 0, end: batch }]);
  const x1 = E.slice(img, [{ axis: 0, start: batch, end: 2 * batch }]);
  return { dist: E.div(lpips.distance(x0, x1), o.epsilon ** 2) }; // [B]
}

/**
 * The official reduction: the mean of the distances between np.percentile(1, 'lower') and (99, 'higher').
 * @example pplFromDistances(Float64Array.of(1, 2, 3))
 */
export function pplFromDistances(dist: ArrayLike<number>): number {
  const sorted = Float64Array.from(dist).sort();
  const n = sorted.length;
  const lo = sorted[Math.floor(0.01 * (n - 1))]!;
  const hi = sorted[Math.ceil(0.99 * (n - 1))]!;
  let sum = 0;
  let count = 0;
  for (const d of sorted) if (d >= lo && d <= hi) (sum += d), count++;
  return sum / count;
}

/**
 * PPL of a generator over `num` samples drawn from RandomState(seed) (t, z0 and z1, labels, noise per batch).
 * `labels` draws a conditional network's label (from the data set).
 * @example const ppl = await perceptualPathLength(engine, G, lpips, 1000, 0, { space: 'w', sampling: 'end', crop: false, epsilon: 1e-4 });
 */
export async function perceptualPathLength(
  engine: E.Engine,
  G: Generator,
  lpips: Lpips,
  num: number,
  seed: number,
  o: PplOptions,
  batch = 4,
  labels: ((rs: RandomState) => Float32Array) | null = null,
  onBatch?: (n: number) => void,
): Promise<number> {
  if (G.cDim > 0 && !labels) throw new InputError('PPL of a conditional network needs a labelled data set (--data) for its labels');
  const { zDim, cDim, numWs, wDim } = G;
  const rs = new RandomState(seed);
  const prog = await engine.compile(pplGraph(G, lpips, batch, o));
  const dists: number[] = [];
  try {
    while (dists.length < num) {
      const t = Float64Array.from({ length: batch }, () => rs.randomSample() * (o.sampling === 'full' ? 1 : 0));
      const z = rs.randn(2 * batch, zDim); // z0 rows then z1 rows
      const c = new Float32Array(2 * batch * cDim);
      for (let i = 0; i < batch && cDim > 0; i++) {
        const l = labels!(rs);
        c.set(l, i * cDim);
        c.set(l, (batch + i) * cDim);
      }
      const ws = new Float32Array(2 * batch * numWs * wDim); // [2B, numWs, wDim]: the t0 images, then the t1 images
      const per = numWs * wDim;
      if (o.space === 'w') {
        const w = await G.mapping(z, cDim > 0 ? c : null); // [2B, numWs, wDim]: w0 rows then w1 rows
        for (let i = 0; i < batch; i++)
          for (let k = 0; k < per; k++) {
            const w0 = w[i * per + k]!;
            const w1 = w[(batch + i) * per + k]!;
            ws[i * per + k] = w0 + t[i]! * (w1 - w0);
            ws[(batch + i) * per + k] = w0 + (t[i]! + o.epsilon) * (w1 - w0);
          }
      } else {
        const zt = new Float64Array(2 * batch * zDim);
        for (let i = 0; i < batch; i++) {
          const z0 = z.subarray(i * zDim, (i + 1) * zDim);
          const z1 = z.subarray((batch + i) * zDim, (batch + i + 1) * zDim);
          zt.set(slerp(z0, z1, t[i]!), i * zDim);
          zt.set(slerp(z0, z1, t[i]! + o.epsilon), (batch + i) * zDim);
        }
        ws.set(await G.mapping(zt, cDim > 0 ? c : null));
      }
      // One noise map per layer for the whole batch (the official randomises the noise_const buffers).
      const feeds: Record<string, E.Feed> = { ws };
      for (const info of prog.inputs) {
        if (!info.random) continue;
        const [N, ...rest] = info.shape;
        const map = Float32Array.from(rs.randn(rest.reduce((a, b) => a * b, 1)));
        const noise = new Float32Array(N! * map.length);
        for (let n = 0; n < N!; n++) noise.set(map, n * map.length);
        feeds[info.name] = noise;
      }
      const d = (await prog.run(feeds)).dist!.data;
      for (const v of d) if (dists.length < num) dists.push(v);
      onBatch?.(Math.min(batch, num - (dists.length - d.length)));
    }
  } finally {
    await prog.dispose();
  }
  return pplFromDistances(dists);
}

/** A PPL metric as metric_main.py defines it (50k samples, epsilon 1e-4). */
function pplMetric(name: string, o: Omit<PplOptions, 'epsilon'>): MetricDef {
  const opts: PplOptions = { ...o, epsilon: 1e-4 };
  return {
    name,
    summary: `perceptual path length in ${o.space.toUpperCase()}, ${o.sampling === 'full' ? 'random t' : 'path ends'}${o.crop ? ', face crop' : ''} (LPIPS)`,
    nets: ['vgg16', 'lpips'],
    reals: 'labels',
    twoSets: false,
    defaultNum: 50000,
    run: async (ctx: MetricContext) => {
      const G = ctx.G!;
      const num = ctx.num ?? 50000;
      const ds = ctx.dataset;
      const labels = G.cDim > 0 && ds ? (rs: RandomState) => ds.label(randint(rs, 0, ds.size)) : null;
      const lpips = ctx.nets.lpips(name);
      const p = ctx.progress(`${name}`, num);
      try {
        const ppl = await perceptualPathLength(ctx.engine, G, lpips, num, ctx.seed, opts, Math.max(1, Math.floor(ctx.batch / 4)), labels, (n) => p.tick(n));
        return { values: { [name]: ppl }, images: { generated: 2 * num } };
      } finally {
        p.stop();
      }
    },
  };
}

export const PPL_METRICS: readonly MetricDef[] = [
  pplMetric('ppl2_wend', { space: 'w', sampling: 'end', crop: false }),
  pplMetric('ppl_zfull', { space: 'z', sampling: 'full', crop: true }),
  pplMetric('ppl_wfull', { space: 'w', sampling: 'full', crop: true }),
  pplMetric('ppl_zend', { space: 'z', sampling: 'end', crop: true }),
  pplMetric('ppl_wend', { space: 'w', sampling: 'end', crop: true }),
];
