// Projection of an image into a generator's latent space, as stylegan2-ada-pytorch projector.py (project()) for
// StyleGAN2 and StyleGAN3: w starts at w_avg (10,000 mapped samples), Adam optimises w (and StyleGAN2's noise
// buffers) against an image distance plus the noise regulariser, with projector.py's learning-rate ramp and
// decaying w noise; the noise buffers are renormalised after every step. One engine program per projector gives
// the loss and its gradient with respect to ws and the noise buffers. Platform-neutral (no file access).
import { centerCropSquare, type ImageU8, resizePil } from '../data/pil-resize.js';
import { adamInit, adamStep, type AdamState } from '../drag/adam.js';
import * as E from '../engine/index.js';
import { topoSort } from '../engine/graph.js';
import { InputOp, type InputAttrs } from '../engine/sources.js';
import { InputError } from '../errors.js';
import type { Generator } from '../models/generator.js';
import { fastNormals } from '../random/normal.js';
import { RandomState } from '../random/numpy-random.js';
import { areaDownsample, areaDownsampleRef, DISTANCE_SIZE, type ProjectionDistance } from './distance.js';
import { noiseRegularization, renormalizeNoise } from './noise.js';
import { type ProjectOptions, stepSchedule, validateProjectOptions } from './schedule.js';

/** An 8-bit RGB image at the network's resolution, HWC (what projector.py's project() takes, as [C, H, W]). */
export interface TargetImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** What one step did. */
export interface ProjectStepResult {
  /** Steps taken, this one included. */
  step: number;
  /** The latent after this step, ws [1, numWs, wDim] (projector.py's w_out[step], repeated over the layers). */
  ws: Float32Array;
  /** The image distance and the whole loss (distance + weighted noise regularisation) before the update. */
  dist: number;
  loss: number;
  /** The learning rate this step used. */
  lr: number;
}

/** Architectures the projector handles (their synthesis reads ws and, for StyleGAN2, noise buffers). */
const PROJECTABLE = ['stylegan2', 'stylegan3'];

/**
 * w_avg [wDim] and w_std (the root mean squared distance of a sample to w_avg) of `samples` mapped latents
 * z = RandomState(seed).randn(samples, zDim) (cast to float32 as the mapping does), psi 1: projector.py's
 * "Compute w stats" (sums in float64, where numpy sums float32).
 * @example const { wAvg, wStd } = await wStats(G, 10000, 123);
 */
export async function wStats(G: Generator, samples: number, seed: number, batch = 1000): Promise<{ wAvg: Float32Array; wStd: number }> {
  const { zDim, wDim, numWs } = G;
  const rs = new RandomState(seed);
  const ws0: Float32Array[] = []; // the first w of each sample's ws
  for (let start = 0; start < samples; start += batch) {
    const n = Math.min(batch, samples - start);
    const z = rs.randnFloat32(n * zDim); // [n, zDim], the mapping's float32 cast of numpy's stream
    // A fixed batch size keeps one mapping program; the last batch is padded with zeros and trimmed.
    const zb = n === batch ? z : Float32Array.from({ length: batch * zDim }, (_, i) => (i < z.length ? z[i]! : 0));
    const ws = await G.mapping(zb, G.cDim > 0 ? new Float32Array(batch * G.cDim) : null);
    for (let i = 0; i < n; i++) ws0.push(ws.subarray(i * numWs * wDim, i * numWs * wDim + wDim));
  }
  const avg = new Float64Array(wDim);
  for (const w of ws0) for (let j = 0; j < wDim; j++) avg[j] += w[j]!;
  const wAvg = Float32Array.from(avg, (v) => v / samples);
  let sq = 0;
  for (const w of ws0) for (let j = 0; j < wDim; j++) sq += (w[j]! - wAvg[j]!) ** 2;
  return { wAvg, wStd: Math.sqrt(sq / samples) };
}

/** The graph inputs of `out` whose InputAttrs match. */
function inputsOf(out: E.Tensor, match: (a: InputAttrs) => boolean): E.Tensor[] {
  return topoSort([out])
    .filter((n) => n.op === InputOp && match(n.attrs as InputAttrs))
    .map((n) => n.outputs[0]!);
}

/**
 * The projection step graph: synthesis of ws (StyleGAN2: the noise buffers as inputs), the distance to the target
 * on the image downsampled to 256 when larger, the weighted noise regulariser, and gradients. Outputs dist, loss,
 * grad_ws [1, numWs, wDim] and grad_noise<i> [1, 1, r, r] for each noise input (in the order `noise` lists them).
 * @example const { outputs, noise } = projectStepGraph(G, mseDistance(), 1e5);
 */
export function projectStepGraph(G: Generator, distance: ProjectionDistance, regularizeNoiseWeight: number): { outputs: Record<string, E.Tensor>; noise: E.Tensor[] } {
  // StyleGAN2's 'random' noise inputs take the optimised buffers as feeds (in 'const' mode they are baked in).
  const { img } = G.synthesisGraph(1, { noiseMode: G.arch === 'stylegan2' ? 'random' : 'const' });
  const [ws] = inputsOf(img, (a) => a.name === 'ws');
  if (!ws) throw new InputError(`the ${G.arch} synthesis graph has no input 'ws'`);
  const noise = inputsOf(img, (a) => a.random !== undefined);
  const dist = distance.graph(areaDownsample(img, DISTANCE_SIZE));
  const loss = noise.length ? E.add(dist, E.mul(noiseRegularization(noise), regularizeNoiseWeight)) : dist;
  const grads = E.grad(loss, [ws, ...noise]);
  const outputs: Record<string, E.Tensor> = { dist, loss, grad_ws: grads[0]! };
  noise.forEach((_, i) => (outputs[`grad_noise${i}`] = grads[i + 1]!));
  return { outputs, noise };
}

/** A noise buffer being optimised: its graph input name and values [r * r]. */
interface NoiseState {
  name: string;
  data: Float32Array;
}

/**
 * A projection in progress: `step()` (or `run()`) until done, then `latent()`; `dispose()` releases its program
 * and the distance (the generator stays open).
 * @example
 * const p = await Projector.create(G, target, mseDistance(), { numSteps: 300 });
 * await p.run({ onStep: (r) => console.log(r.step, r.dist) });
 * const ws = p.latent(); await p.dispose();
 */
export class Projector {
  private steps = 0;
  private adam: AdamState;
  /** The synthesis program fed with the optimised noise (compiled on first use). */
  private render: Promise<E.Program> | null = null;
  private constructor(
    readonly G: Generator,
    readonly options: ProjectOptions,
    private readonly distance: ProjectionDistance,
    private readonly program: E.Program,
    private readonly targetFeeds: Record<string, E.Feed>,
    /** The optimised w: [wDim] (W) or [numWs * wDim] (W+). */
    private wOpt: Float32Array,
    private readonly noise: NoiseState[],
    /** w_std of the mapped samples (the scale of the w noise). */
    readonly wStd: number,
    private readonly rs: RandomState,
  ) {
    this.adam = adamInit(wOpt.length + noise.reduce((s, n) => s + n.data.length, 0));
  }

  /**
   * A projector of `target` (8-bit RGB at the network's resolution, e.g. from `projectorTarget`, or float values
   * [1, 3, R, R] on the synthesis's scale, unquantised) into G's latent space under `distance`; options default to projector.py's. The distance is owned (disposed) by the projector.
   * @example const p = await Projector.create(G, projectorTarget(photo, G.imgResolution), mseDistance());
   */
  static async create(G: Generator, target: TargetImage | Float32Array, distance: ProjectionDistance, options: Partial<ProjectOptions> = {}): Promise<Projector> {
    const o = validateProjectOptions(options);
    const R = G.imgResolution;
    if (!PROJECTABLE.includes(G.arch)) throw new InputError(`projection handles StyleGAN2 and StyleGAN3 networks; this one is ${G.arch}`);
    if (G.imgChannels !== 3) throw new InputError(`projection needs an RGB network; this one has ${G.imgChannels} channels`);
    if (G.cDim > 0) throw new InputError('projection of a conditional network is not supported (projector.py maps with no label)');
    const x = targetValues(target, R);
    const { wAvg, wStd } = await wStats(G, o.wAvgSamples, o.wAvgSeed);
    const { outputs, noise } = projectStepGraph(G, distance, o.regularizeNoiseWeight);
    const program = await G.engine.compile(outputs);
    try {
      // The target as projector.py feeds it to the distance: [0, 255] -> [-1, 1], area-downsampled to 256.
      const S = Math.min(R, DISTANCE_SIZE);
      const feeds = await distance.targetFeeds(areaDownsampleRef(x, 3, R, DISTANCE_SIZE), 3, S);
      // Initial noise buffers ~ N(0, 1), then the w noise of every step, from one seeded stream.
      const rs = new RandomState(o.seed);
      const buffers = noise.map((t) => ({ name: (t.node.attrs as InputAttrs).name, data: fastNormals(rs, t.size) }));
      const wOpt = o.wPlus ? tileRows(wAvg, G.numWs) : Float32Array.from(wAvg);
      return new Projector(G, o, distance, program, feeds, wOpt, buffers, wStd, rs);
    } catch (e) {
      await program.dispose();
      throw e;
    }
  }

  /** Steps taken. */
  get stepsTaken(): number {
    return this.steps;
  }

  /** The current latent ws [1, numWs, wDim] (W: w repeated over the layers). */
  latent(): Float32Array {
    return this.options.wPlus ? Float32Array.from(this.wOpt) : tileRows(this.wOpt, this.G.numWs);
  }

  /**
   * One optimisation step (projector.py's loop body): schedule, w noise, loss and gradients, Adam, noise
   * renormalisation.
   * @example const r = await p.step(); console.log(r.dist);
   */
  async step(): Promise<ProjectStepResult> {
    const o = this.options;
    if (this.steps >= o.numSteps) throw new InputError(`the projection has taken its ${o.numSteps} steps`);
    const { lr, wNoiseScale } = stepSchedule(this.steps, o.numSteps, this.wStd, o);
    const { numWs, wDim } = this.G;
    // ws = (w_opt + randn * w_noise_scale), repeated over the layers in W.
    const wNoise = fastNormals(this.rs, this.wOpt.length);
    const w = Float32Array.from(this.wOpt, (v, i) => v + Math.fround(wNoise[i]! * wNoiseScale));
    const feeds: Record<string, E.Feed> = { ...this.targetFeeds, ws: o.wPlus ? w : tileRows(w, numWs) };
    for (const n of this.noise) feeds[n.name] = n.data;
    const out = await this.program.run(feeds);
    // The gradient of w: that of ws, summed over the layers in W (repeat's backward).
    const gws = out.grad_ws!.data;
    const param = new Float32Array(this.adam.m.length);
    const grad = new Float32Array(this.adam.m.length);
    param.set(this.wOpt);
    if (o.wPlus) grad.set(gws);
    else for (let r = 0; r < numWs; r++) for (let j = 0; j < wDim; j++) grad[j] += gws[r * wDim + j]!;
    let at = this.wOpt.length;
    this.noise.forEach((n, i) => {
      param.set(n.data, at);
      grad.set(out[`grad_noise${i}`]!.data, at);
      at += n.data.length;
    });
    const next = adamStep(param, grad, this.adam, lr);
    this.adam = next.state;
    this.wOpt = next.param.slice(0, this.wOpt.length);
    at = this.wOpt.length;
    for (const n of this.noise) {
      n.data = next.param.slice(at, at + n.data.length);
      renormalizeNoise(n.data);
      at += n.data.length;
    }
    this.steps++;
    return { step: this.steps, ws: this.latent(), dist: out.dist!.data[0]!, loss: out.loss!.data[0]!, lr };
  }

  /**
   * Takes the remaining steps; `onStep` sees each result. Returns the last.
   * @example const last = await p.run({ onStep: (r) => bar.tick() });
   */
  async run(o: { onStep?: (r: ProjectStepResult) => void | Promise<void> } = {}): Promise<ProjectStepResult> {
    let last: ProjectStepResult | null = null;
    while (this.steps < this.options.numSteps) {
      last = await this.step();
      await o.onStep?.(last);
    }
    if (!last) throw new InputError(`the projection has taken its ${this.options.numSteps} steps`);
    return last;
  }

  /**
   * The image [1, 3, R, R] of the current latent with the optimised noise buffers (what the distance saw, without
   * the w noise). projector.py's proj.png uses the network's stored noise instead: `G.synthesis(p.latent())`.
   * @example const img = await p.synthesize();
   */
  async synthesize(): Promise<Float32Array> {
    if (this.noise.length === 0) return this.G.synthesis(this.latent(), { noiseMode: 'const' });
    this.render ??= this.G.engine.compile({ img: this.G.synthesisGraph(1, { noiseMode: 'random' }).img });
    const feeds: Record<string, E.Feed> = { ws: this.latent() };
    for (const n of this.noise) feeds[n.name] = n.data;
    return (await (await this.render).run(feeds)).img!.data;
  }

  /** The optimised noise buffers: graph input name and a copy of the values [r * r] (none for StyleGAN3). */
  noiseValues(): { name: string; data: Float32Array }[] {
    return this.noise.map((n) => ({ name: n.name, data: Float32Array.from(n.data) }));
  }

  /** Releases the programs and the distance. */
  async dispose(): Promise<void> {
    try {
      await this.program.dispose();
      const render = this.render;
      this.render = null;
      if (render) await (await render).dispose();
    } finally {
      await this.distance.dispose();
    }
  }
}

/** rows copies of a row [n] as [rows * n]. */
function tileRows(row: Float32Array, rows: number): Float32Array {
  const out = new Float32Array(rows * row.length);
  for (let r = 0; r < rows; r++) out.set(row, r * row.length);
  return out;
}

/** The target as [1, 3, R, R] values, checked: an 8-bit image, or float values as the synthesis produces them. */
function targetValues(target: TargetImage | Float32Array, R: number): Float32Array {
  if (target instanceof Float32Array) {
    if (target.length !== 3 * R * R) throw new InputError(`a float target must hold [1, 3, ${R}, ${R}] (${3 * R * R}) values, got ${target.length}`);
    if (!target.every(Number.isFinite)) throw new InputError('the target holds values that are not finite');
    return target;
  }
  if (target.width !== R || target.height !== R || target.channels !== 3 || target.data.length !== R * R * 3) {
    throw new InputError(`the target must be an RGB image of ${R}x${R} (the network's resolution), got ${target.width}x${target.height}x${target.channels}; see projectorTarget`);
  }
  return targetTensor(target);
}

/**
 * An 8-bit HWC RGB image as [1, 3, H, W] in [-1, 1] (x / 127.5 - 1: projector.py's [0, 255] target, in the
 * range the synthesis produces).
 * @example const t = targetTensor(target);
 */
export function targetTensor(img: TargetImage): Float32Array {
  const n = img.width * img.height;
  const x = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) x[c * n + i] = img.data[i * 3 + c]! / 127.5 - 1;
  return x;
}

/**
 * An image [1, C, H, W] in about [-1, 1] as projector.py saves proj.png and video frames: (x + 1) * 255 / 2,
 * clamped to [0, 255] and truncated to uint8 (gen_images.py rounds differently: x * 127.5 + 128). HWC out.
 * @example const u8 = projectorUint8(img, 3, 256, 256);
 */
export function projectorUint8(img: Float32Array, channels: number, height: number, width: number): Uint8Array {
  const n = height * width;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = Math.min(Math.max(Math.fround((img[c * n + i]! + 1) * Math.fround(255 / 2)), 0), 255);
  return out;
}

/**
 * The target as projector.py prepares it: RGB, centre-cropped to a square, resized to the network's resolution
 * with PIL's LANCZOS (bit-exact), 8-bit HWC.
 * @example const target = projectorTarget(await readRgbImage('photo.jpg'), G.imgResolution);
 */
export function projectorTarget(img: ImageU8, resolution: number): TargetImage {
  if (img.channels !== 3) throw new InputError(`the target must be an RGB image, got ${img.channels} channels`);
  const square = centerCropSquare(img);
  return resizePil(square, resolution, resolution, 'lanczos');
}
