// SWD of a generator against a data set (the progressive-growing paper's metric): real images sampled from the
// data set, fake images for seeds 0..N-1 (psi 1, const noise, conditional networks given the reals' labels).
import type { ImageDataset } from '../data/image-dataset.js';
import { InputError } from '../errors.js';
import { toUint8Image } from '../models/generate.js';
import type { Generator } from '../models/generator.js';
import { RandomState, zFromSeed } from '../random/numpy-random.js';
import { randint } from '../random/randint.js';
import type { MetricContext, MetricDef } from './metric.js';
import { type SwdResult, slicedWassersteinDistanceOnEngine } from './swd.js';

/** Real images drawn for the metric, with their labels. */
export interface RealSample {
  images: Uint8Array; // [N, C, R, R]
  labels: Float32Array; // [N, labelDim]
  count: number;
  channels: number;
  resolution: number;
}

/**
 * `count` distinct images of a data set, drawn by RandomState(seed) (a partial Fisher-Yates shuffle).
 * @example const reals = await sampleReals(ds, 1000);
 */
export async function sampleReals(ds: ImageDataset, count: number, seed = 0): Promise<RealSample> {
  if (!Number.isInteger(count) || count < 1) throw new InputError(`the number of images must be a positive integer, got ${count}`);
  if (count > ds.size) throw new InputError(`${count} images asked for, but ${ds.source} has ${ds.size}`);
  const order = Array.from({ length: ds.size }, (_, i) => i);
  const rs = new RandomState(seed);
  for (let i = 0; i < count; i++) {
    const j = randint(rs, i, ds.size);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const { channels: C, resolution: R, labelDim } = ds;
  const images = new Uint8Array(count * C * R * R);
  const labels = new Float32Array(count * labelDim);
  for (let n = 0; n < count; n++) {
    images.set(await ds.image(order[n]!), n * C * R * R);
    labels.set(ds.label(order[n]!), n * labelDim);
  }
  return { images, labels, count, channels: C, resolution: R };
}

/**
 * Images of seeds 0..count-1 as uint8 NCHW (gen_images.py's z and conversion; psi 1, const noise). `labels`
 * [count, cDim] conditions a conditional network (required for one).
 * @example const fakes = await generateImages(G, 100);
 */
export async function generateImages(G: Generator, count: number, labels: Float32Array | null = null, onImage?: () => void): Promise<Uint8Array> {
  const { imgChannels: C, imgResolution: R, cDim, zDim } = G;
  if (cDim > 0 && (!labels || labels.length !== count * cDim)) throw new InputError(`the network is conditional (${cDim} classes): it needs a labelled data set`);
  const out = new Uint8Array(count * C * R * R); // [N, C, R, R]
  for (let seed = 0; seed < count; seed++) {
    const c = cDim > 0 ? labels!.subarray(seed * cDim, (seed + 1) * cDim) : null;
    const img = await G.generate(zFromSeed(seed, zDim), c, { psi: 1, noiseMode: 'const' }); // [1, C, R, R]
    const hwc = toUint8Image(img, C, R, R); // [R, R, C]
    const base = seed * C * R * R;
    for (let p = 0; p < R * R; p++) for (let ch = 0; ch < C; ch++) out[base + ch * R * R + p] = hwc[p * C + ch]!;
    onImage?.();
  }
  return out;
}

/**
 * The SWD (x 1e3 per level and mean) between a generator's images and real images (same count), on G's engine;
 * `onImage` is called after each generated image.
 * @example const swd = await swdOfGenerator(G, await sampleReals(ds, 1000)); console.log(swd.mean);
 */
export async function swdOfGenerator(G: Generator, reals: RealSample, seed = 0, onImage?: () => void): Promise<SwdResult> {
  if (G.imgResolution !== reals.resolution || G.imgChannels !== reals.channels) {
    const what = (c: number, r: number) => `${r}x${r} ${c === 1 ? 'grayscale' : 'RGB'}`;
    throw new InputError(`the network makes ${what(G.imgChannels, G.imgResolution)} images, the data set holds ${what(reals.channels, reals.resolution)} images`);
  }
  const fakes = await generateImages(G, reals.count, G.cDim > 0 ? reals.labels : null, onImage);
  return slicedWassersteinDistanceOnEngine(reals.images, fakes, { count: reals.count, channels: reals.channels, resolution: reals.resolution, seed }, G.engine);
}

/** Default number of images per set (fewer when the data set is smaller). */
export const DEFAULT_SWD_IMAGES = 1000;

export const SWD_METRICS: readonly MetricDef[] = [
  {
    name: 'swd',
    summary: 'sliced Wasserstein distance x1e3 per Laplacian level and mean (progressive growing; needs no downloaded network)',
    nets: [],
    reals: 'required',
    twoSets: false,
    defaultNum: DEFAULT_SWD_IMAGES,
    run: async (ctx: MetricContext) => {
      const ds = ctx.dataset!;
      const reals = await sampleReals(ds, ctx.num ?? Math.min(DEFAULT_SWD_IMAGES, ds.size), ctx.seed);
      const p = ctx.progress('swd: generating', reals.count);
      let swd: SwdResult;
      try {
        swd = await swdOfGenerator(ctx.G!, reals, ctx.seed, () => p.tick());
      } finally {
        p.stop();
      }
      const out: Record<string, number> = {};
      for (const l of swd.levels) out[`SWDx1e3_${l.resolution}`] = l.swd;
      out.SWDx1e3_avg = swd.mean;
      return { values: out, images: { generated: reals.count, real: reals.count } };
    },
  },
];
