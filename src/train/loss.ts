// StyleGAN2Loss as engine graphs (NVlabs stylegan3 training/loss.py): the non-saturating logistic loss, R1 and
// path-length regularisation, style mixing. One graph per phase (Gmain, Greg, Dmain, Dreg), compiled once:
// parameters, latents, noise, the mixing cutoff and the augmentation strength are all fed at run time.
import * as E from '../engine/index.js';
import { topoSort } from '../engine/graph.js';
import type { NoiseMode } from '../nets/stylegan2/synthesis.js';
import type { TrainableDiscriminator, TrainableGenerator } from './networks.js';

export type Phase = 'Gmain' | 'Greg' | 'Dmain' | 'Dreg';
export const PHASES: readonly Phase[] = ['Gmain', 'Greg', 'Dmain', 'Dreg'];

/** Gmain: -log(sigmoid(D(G(z)))) per sample. @example generatorLoss(fakeLogits) */
export function generatorLoss(fakeLogits: E.Tensor): E.Tensor {
  return E.softplus(E.neg(fakeLogits));
}

/** Dmain: -log(1 - sigmoid(D(G(z)))) and -log(sigmoid(D(x))) per sample. @example discriminatorLoss(fake, real) */
export function discriminatorLoss(fakeLogits: E.Tensor, realLogits: E.Tensor): { fake: E.Tensor; real: E.Tensor } {
  return { fake: E.softplus(fakeLogits), real: E.softplus(E.neg(realLogits)) };
}

/**
 * R1 penalty |grad_x D(x)|^2 per sample (Mescheder et al. 2018), differentiable again for the D update.
 * @example const penalty = r1Penalty(D(real), real); // [N]
 */
export function r1Penalty(realLogits: E.Tensor, realImg: E.Tensor): E.Tensor {
  const [r1Grads] = E.grad(E.sum(realLogits), [realImg]); // [N, C, H, W]
  return E.sum(E.square(r1Grads!), [1, 2, 3]);
}

/**
 * Path lengths |J_w^T y| with y ~ N(0, I)/sqrt(H*W) (Karras et al. 2020 eq. 4): one per sample, averaged over ws.
 * @example const lengths = pathLengths(img, ws, plNoise); // [N]
 */
export function pathLengths(img: E.Tensor, ws: E.Tensor, plNoise: E.Tensor): E.Tensor {
  const [plGrads] = E.grad(E.sum(E.mul(img, plNoise)), [ws]); // [N, numWs, wDim]
  return E.sqrt(E.mean(E.sum(E.square(plGrads!), 2), 1));
}

/**
 * Path-length penalty (lengths - a)^2 with a = lerp(plMean, mean(lengths), decay), the new running mean (no
 * gradient flows through it: the official gradients show none).
 * @example const { penalty, plMean } = pathLengthPenalty(lengths, E.input('pl_mean', []), 0.01);
 */
export function pathLengthPenalty(lengths: E.Tensor, plMeanBefore: E.Tensor, decay: number): { penalty: E.Tensor; plMean: E.Tensor } {
  const plMean = E.add(plMeanBefore, E.mul(E.sub(E.mean(lengths), plMeanBefore), decay));
  return { penalty: E.square(E.sub(lengths, E.detach(plMean))), plMean };
}

/**
 * Style mixing: ws[:, cutoff:] from a second latent, written as a fed mask [1, numWs, 1] (1 from the cutoff on).
 * @example const mixed = mixStyles(ws, wsMix, E.input('mix_mask', [1, numWs, 1]));
 */
export function mixStyles(ws: E.Tensor, wsMix: E.Tensor, mask: E.Tensor): E.Tensor {
  return E.add(ws, E.mul(E.sub(wsMix, ws), mask));
}

export interface LossOptions {
  /** Batch size of the main phases (Greg uses batch / plBatchShrink). */
  batch: number;
  r1Gamma: number;
  plWeight: number;
  plDecay: number;
  plBatchShrink: number;
  /** Style mixing on (its probability is applied when drawing the mask). */
  styleMixing: boolean;
  noiseMode: NoiseMode;
  /** Augmentation applied to every image D sees; reads the scalar input 'aug_p'. */
  augment?: (img: E.Tensor, p: E.Tensor) => E.Tensor;
  /** Blurs images before D (StyleGAN3's fade-in) with a fed filter 'blur_filter' of this many taps (odd); 0 = none. */
  blurTaps?: number;
}

/** A phase's graph: its outputs (losses, statistics, one gradient per reached parameter) and the parameters that get gradients. */
export interface PhaseGraph {
  phase: Phase;
  outputs: Record<string, E.Tensor>;
  /** Trained parameters with a gradient output `grad:<name>` (others have no path to the loss: torch leaves them None). */
  params: E.Parameter[];
}

/** The parameters that the loss depends on through differentiable ops (a comparison's inputs do not count). */
function reached(loss: E.Tensor, params: readonly E.Parameter[]): E.Parameter[] {
  const seen = new Set<E.Tensor>([loss]);
  const order = topoSort([loss]);
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    if (node.op.nondiff || !node.outputs.some((t) => seen.has(t))) continue;
    for (const t of node.inputs) seen.add(t);
  }
  return params.filter((p) => seen.has(p.tensor));
}

/** Separable blur with a fed filter 'blur_filter' [K], zero padding, same size (upfirdn2d.filter2d). */
function blur(img: E.Tensor, taps: number): E.Tensor {
  const [N, C, H, W] = img.shape as [number, number, number, number];
  const f = E.input('blur_filter', [taps]);
  const pad = (taps - 1) / 2;
  const x = E.reshape(img, [N * C, 1, H, W]);
  const fx = E.reshape(f, [1, 1, 1, taps]);
  const fy = E.reshape(f, [1, 1, taps, 1]);
  const y = E.conv2d(E.conv2d(x, fx, { padding: [0, pad] }), fy, { padding: [pad, 0] });
  return E.reshape(y, [N, C, H, W]);
}

/**
 * The 1-D filter of run_D's blur for a sigma, zero-padded to `taps` (identity when sigma*3 < 1).
 * @example blurFilter(10, 61) // exp2(-(x / 10)^2) over x in [-30, 30], normalised
 */
export function blurFilter(sigma: number, taps: number): Float32Array {
  const f = new Float32Array(taps);
  const centre = (taps - 1) / 2;
  const size = Math.floor(sigma * 3);
  if (size <= 0) {
    f[centre] = 1;
    return f;
  }
  let total = 0;
  for (let i = -size; i <= size; i++) total += 2 ** -((i / sigma) ** 2);
  for (let i = -size; i <= size; i++) if (Math.abs(i) <= centre) f[centre + i] = 2 ** -((i / sigma) ** 2) / total;
  return f;
}

/**
 * Builds the graphs of StyleGAN2Loss for one pair of networks.
 * @example const loss = new StyleGAN2Loss(G, D, { batch: 8, r1Gamma: 1, plWeight: 2, plDecay: 0.01, plBatchShrink: 2, styleMixing: true, noiseMode: 'random' });
 */
export class StyleGAN2Loss {
  constructor(
    readonly G: TrainableGenerator,
    readonly D: TrainableDiscriminator,
    readonly o: LossOptions,
  ) {}

  /**
   * run_G: mapping (with style mixing) and synthesis; also the batch mean of the unmixed w (for w_avg). With
   * `emaUpdates` (update_emas=True), the synthesis EMAs' new values are collected there.
   */
  private runG(batch: number, c: E.Tensor | null, emaUpdates?: Map<string, E.Tensor>): { img: E.Tensor; ws: E.Tensor; wMean: E.Tensor } {
    const { G } = this;
    let ws = G.mapping(E.input('z', [batch, G.zDim]), c); // [N, numWs, wDim]
    const wMean = E.mean(E.narrow(ws, 1, 0, 1), [0, 1]); // [wDim]
    if (this.o.styleMixing) ws = mixStyles(ws, G.mapping(E.input('z_mix', [batch, G.zDim]), c), E.input('mix_mask', [1, G.numWs, 1]));
    return { img: G.synthesis(ws, this.o.noiseMode, emaUpdates), ws, wMean };
  }

  /**
   * run_D on image batches: optional blur, optional augmentation, then D on each batch. The augmentation runs
   * once over the batches concatenated (it is per sample, and its random inputs must exist once per graph).
   */
  private runD(imgs: E.Tensor[], cs: (E.Tensor | null)[]): E.Tensor[] {
    let x = imgs.length === 1 ? imgs[0]! : E.concat(imgs, 0);
    if (this.o.blurTaps) x = blur(x, this.o.blurTaps);
    if (this.o.augment) x = this.o.augment(x, E.input('aug_p', []));
    const parts = imgs.length === 1 ? [x] : E.split(x, 0, imgs.map((t) => t.shape[0]!));
    return parts.map((t, i) => this.D.forward(t, cs[i]!));
  }

  private labels(name: string, batch: number): E.Tensor | null {
    return this.G.cDim > 0 ? E.input(name, [batch, this.G.cDim]) : null;
  }

  private withGrads(phase: Phase, loss: E.Tensor, params: readonly E.Parameter[], outputs: Record<string, E.Tensor>): PhaseGraph {
    const live = reached(loss, params);
    const grads = E.grad(loss, live.map((p) => p.tensor));
    live.forEach((p, i) => (outputs[`grad:${p.name}`] = grads[i]!));
    return { phase, outputs, params: live };
  }

  /**
   * One phase's graph. `gain` multiplies the loss that is differentiated (the lazy-regularisation interval).
   * @example const { outputs, params } = loss.phase('Dreg', 16);
   */
  phase(phase: Phase, gain = 1): PhaseGraph {
    const { batch, r1Gamma, plWeight, plDecay, plBatchShrink } = this.o;
    const { G, D } = this;
    if (phase === 'Gmain') {
      const c = this.labels('c', batch);
      const { img } = this.runG(batch, c);
      const [logits] = this.runD([img], [c]); // [N, 1]
      const loss = E.mean(generatorLoss(logits!));
      return this.withGrads(phase, E.mul(loss, gain), G.parameters(), { loss, fake_logits: logits! });
    }
    if (phase === 'Greg') {
      const b = Math.max(1, Math.floor(batch / plBatchShrink));
      const { img, ws } = this.runG(b, this.labels('c', b));
      const plNoise = E.input('pl_noise', img.shape); // randn / sqrt(H * W), fed
      const lengths = pathLengths(img, ws, plNoise);
      const { penalty, plMean } = pathLengthPenalty(lengths, E.input('pl_mean', []), plDecay);
      const loss = E.mean(E.mul(penalty, plWeight));
      return this.withGrads(phase, E.mul(loss, gain), G.parameters(), { loss, pl_lengths: lengths, pl_mean_after: E.detach(plMean) });
    }
    const C = G.imgChannels;
    const R = G.imgResolution;
    const real = E.input('real', [batch, C, R, R]);
    const cReal = this.labels('c_real', batch);
    if (phase === 'Dmain') {
      const c = this.labels('c', batch);
      const emaUpdates = new Map<string, E.Tensor>();
      const { img, wMean } = this.runG(batch, c, emaUpdates);
      const [fakeLogits, realLogits] = this.runD([E.detach(img), real], [c, cReal]) as [E.Tensor, E.Tensor];
      const terms = discriminatorLoss(fakeLogits, realLogits);
      const loss = E.add(E.mean(terms.fake), E.mean(terms.real));
      const outputs: Record<string, E.Tensor> = { loss, fake_logits: fakeLogits, real_logits: realLogits, w_mean: E.detach(wMean) };
      for (const [name, t] of emaUpdates) outputs[`ema:${name}`] = E.detach(t);
      return this.withGrads(phase, E.mul(loss, gain), D.parameters(), outputs);
    }
    const [realLogits] = this.runD([real], [cReal]) as [E.Tensor];
    const penalty = r1Penalty(realLogits, real);
    const loss = E.mean(E.mul(penalty, r1Gamma / 2));
    return this.withGrads(phase, E.mul(loss, gain), D.parameters(), { loss, r1_penalty: penalty, real_logits: realLogits });
  }
}
