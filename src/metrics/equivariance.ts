// The equivariance metrics of StyleGAN3 ("Alias-Free Generative Adversarial Networks", NVlabs stylegan3
// metrics/equivariance.py): EQ-T (integer translation), EQ-T_frac (fractional translation) and EQ-R (rotation).
// For each batch of 4 latents, the network renders the image once as is and once with its input transformed;
// the first is transformed in image space by the matching operator (equivariance-ops.ts) and the PSNR of the
// difference, over the pixels both images define, is accumulated over the samples: PSNR = 20 log10(2) - 10 log10(MSE).
import { InputError } from '../errors.js';
import type { Generator } from '../models/generator.js';
import { RandomState } from '../random/numpy-random.js';
import { randint } from '../random/randint.js';
import { fractionalPseudoRotation, fractionalRotation, fractionalTranslation, type Images, integerTranslation, rotationMatrix, type Transformed } from './equivariance-ops.js';
import type { MetricContext, MetricDef } from './metric.js';

/** The three measures (the official compute_eqt_int, compute_eqt_frac, compute_eqr). */
export type EquivarianceKind = 'eqt_int' | 'eqt_frac' | 'eqr';

/** What the metric needs of a network: latents to draw and images with the input transformed. */
export interface TransformableGenerator {
  readonly imgResolution: number;
  readonly imgChannels: number;
  /** Latents of `batch` samples drawn from `rs` (z ~ N(0, 1), mapped with psi 1, random labels). */
  sample(batch: number, rs: RandomState): Promise<Float32Array>;
  /** Images [batch, C, R, R] of the latents with `transform` (3x3, row-major) as the input's user transform. */
  synthesize(latents: Float32Array, transform: ArrayLike<number>): Promise<Float32Array>;
}

/**
 * A StyleGAN3 generator as the metric uses it: z = randn from `rs`, mapped (psi 1; `labels` draws a conditional
 * network's label), synthesised with the transform in `synthesis.input.transform`. Other architectures have no
 * input transform and are refused (as the official metric refuses them).
 * @example const subject = transformableGenerator(G);
 */
export function transformableGenerator(G: Generator, labels: ((rs: RandomState) => Float32Array) | null = null): TransformableGenerator {
  checkTransformable(G, 'the equivariance metrics (eqt50k_int, eqt50k_frac, eqr50k)');
  if (G.cDim > 0 && !labels) throw new InputError('the equivariance metrics of a conditional network need its labels: give a labelled data set (--data)');
  return {
    imgResolution: G.imgResolution,
    imgChannels: G.imgChannels,
    async sample(batch, rs) {
      const z = rs.randn(batch, G.zDim);
      const c = G.cDim > 0 ? new Float32Array(batch * G.cDim) : null;
      for (let i = 0; c && i < batch; i++) c.set(labels!(rs), i * G.cDim);
      return G.mapping(z, c);
    },
    synthesize: (ws, transform) => G.synthesis(ws, { noiseMode: 'const', transform }),
  };
}

/**
 * Refuses a network without StyleGAN3's input transform, naming what needs it.
 * @example checkTransformable(G, 'eqt50k_int')
 */
export function checkTransformable(G: Generator, what: string): void {
  if (G.arch !== 'stylegan3') throw new InputError(`${what} measure how a StyleGAN3 network follows translations and rotations of its input; this network is ${G.arch}, which has no input transform`);
}

export interface EquivarianceOptions {
  /** Samples (rounded up to whole batches, as the official loop). */
  num: number;
  /** Which measures; each gets its own transformed image per batch. */
  kinds: readonly EquivarianceKind[];
  /** Images sharing one transform (default 4, as metric_main.py). */
  batch?: number;
  /** Seed of the latents and the transforms (the official draws them from torch's generator). */
  seed?: number;
  /** Largest translation, in image widths (default 0.125). */
  translateMax?: number;
  /** Largest rotation, in half turns (default 1: angles in [-pi, pi]). */
  rotateMax?: number;
  /** Called after each batch with its number of samples. */
  onBatch?: (n: number) => void;
}

/** torch.round of t R / R: the nearest whole pixel, halves to even. */
function wholePixels(t: number, R: number): number {
  const x = t * R;
  const r = Math.round(x);
  return (Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r) / R;
}

/** sum((ref - img)^2 * mask) and sum(mask) over the batch (the mask is per pixel, the same for every image and channel). */
function maskedSquares(ref: ArrayLike<number>, img: ArrayLike<number>, mask: ArrayLike<number>, planes: number, pixels: number): [number, number] {
  let se = 0;
  let count = 0;
  for (let p = 0; p < pixels; p++) {
    const m = mask[p]!;
    if (m === 0) continue;
    count += m * planes;
    for (let q = 0; q < planes; q++) se += (ref[q * pixels + p]! - img[q * pixels + p]!) ** 2 * m;
  }
  return [se, count];
}

/**
 * The PSNRs (dB) of the requested measures over `num` samples, as compute_equivariance_metrics.
 * @example const { eqt_int } = await equivariance(transformableGenerator(G), { num: 50000, kinds: ['eqt_int'] });
 */
export async function equivariance(subject: TransformableGenerator, o: EquivarianceOptions): Promise<Partial<Record<EquivarianceKind, number>>> {
  const { num, kinds, batch = 4, seed = 0, translateMax = 0.125, rotateMax = 1 } = o;
  if (!Number.isInteger(num) || num < 1) throw new InputError(`the number of samples must be a positive integer, got ${num}`);
  if (!Number.isInteger(batch) || batch < 1) throw new InputError(`the batch size must be a positive integer, got ${batch}`);
  if (kinds.length === 0) throw new InputError('choose at least one of eqt_int, eqt_frac, eqr');
  const R = subject.imgResolution;
  const C = subject.imgChannels;
  const planes = batch * C;
  const sums = new Map<EquivarianceKind, [number, number]>(kinds.map((k) => [k, [0, 0]]));
  const add = (k: EquivarianceKind, [se, n]: [number, number]) => {
    const s = sums.get(k)!;
    s[0] += se;
    s[1] += n;
  };
  const rs = new RandomState(seed);
  const uniform = () => rs.randomSample() * 2 - 1; // (torch.rand * 2 - 1)
  const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const translation = (t: [number, number]) => [1, 0, -t[0], 0, 1, -t[1], 0, 0, 1];
  for (let start = 0; start < num; start += batch) {
    const ws = await subject.sample(batch, rs);
    const orig = await subject.synthesize(ws, identity);
    const images: Images = { data: orig, n: batch, c: C, h: R, w: R };
    if (kinds.includes('eqt_int')) {
      const t: [number, number] = [wholePixels(uniform() * translateMax, R), wholePixels(uniform() * translateMax, R)];
      const img = await subject.synthesize(ws, translation(t));
      const ref: Transformed = integerTranslation(images, t[0], t[1]);
      add('eqt_int', maskedSquares(ref.z, img, ref.mask, planes, R * R));
    }
    if (kinds.includes('eqt_frac')) {
      const t: [number, number] = [uniform() * translateMax, uniform() * translateMax];
      const img = await subject.synthesize(ws, translation(t));
      const ref = fractionalTranslation(images, t[0], t[1]);
      add('eqt_frac', maskedSquares(ref.z, img, ref.mask, planes, R * R));
    }
    if (kinds.includes('eqr')) {
      const angle = uniform() * rotateMax * Math.PI;
      const img = await subject.synthesize(ws, rotationMatrix(-angle));
      const ref = fractionalRotation(images, angle);
      const pseudo = fractionalPseudoRotation({ data: img, n: batch, c: C, h: R, w: R }, angle);
      add('eqr', maskedSquares(ref.z, pseudo.z, ref.mask.map((m, i) => m * pseudo.mask[i]!), planes, R * R));
    }
    o.onBatch?.(Math.min(batch, num - start));
  }
  const out: Partial<Record<EquivarianceKind, number>> = {};
  for (const [k, [se, n]] of sums) out[k] = 20 * Math.log10(2) - 10 * Math.log10(se / n);
  return out;
}

/** An equivariance metric as metric_main.py registers it (50k samples, batch 4). */
function eqMetric(name: string, kind: EquivarianceKind, summary: string): MetricDef {
  return {
    name,
    summary: `${summary} (StyleGAN3 only; PSNR in dB)`,
    nets: [],
    reals: 'labels',
    twoSets: false,
    defaultNum: 50000,
    archs: ['stylegan3'],
    run: async (ctx: MetricContext) => {
      const G = ctx.G!;
      const ds = ctx.dataset;
      const labels = G.cDim > 0 && ds ? (rs: RandomState) => ds.label(randint(rs, 0, ds.size)) : null;
      const subject = transformableGenerator(G, labels);
      const num = ctx.num ?? 50000;
      const p = ctx.progress(name, num);
      try {
        const psnr = await equivariance(subject, { num, kinds: [kind], seed: ctx.seed, onBatch: (n) => p.tick(n) });
        return { values: { [name]: psnr[kind]! }, images: { generated: 2 * Math.ceil(num / 4) * 4 } };
      } finally {
        p.stop();
      }
    },
  };
}

export const EQ_METRICS: readonly MetricDef[] = [
  eqMetric('eqt50k_int', 'eqt_int', 'EQ-T: equivariance to integer translations of the input'),
  eqMetric('eqt50k_frac', 'eqt_frac', 'EQ-T_frac: equivariance to fractional translations of the input'),
  eqMetric('eqr50k', 'eqr', 'EQ-R: equivariance to rotations of the input'),
];
