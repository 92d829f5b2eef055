// What every network bound to an engine shares: a program cache, the checks on plain-array inputs, and for
// generators the dimension getters and the mapping/generate calls (architectures differ in their graphs only).
import { InputError } from '../errors.js';
import * as E from '../engine/index.js';
import type { NoiseMode } from '../nets/stylegan2/synthesis.js';
import { DEFAULT_PSI } from '../nets/truncation.js';
import type { Weights } from '../nets/weights.js';
import type { Generator, MappingCallOptions, SynthesisCallOptions, SynthesisGraphOptions } from './generator.js';

/** Checks a label batch [batch, cDim] for a conditional network. */
export function checkLabels(c: ArrayLike<number> | null, batch: number, cDim: number, what: string): void {
  if (cDim > 0 && (!c || c.length !== batch * cDim)) throw new InputError(`${what}: expected ${batch * cDim} label values ([${batch}, ${cDim}]), got ${c?.length ?? 0}`);
}

/** The batch size of `n` values of `per` values each, checked. */
export function batchOf(n: number, per: number, what: string): number {
  if (n === 0 || n % per !== 0) throw new InputError(`${what}: expected a multiple of ${per} values, got ${n}`);
  return n / per;
}

/** The noise mode of a synthesis call, checked (default 'const'). */
export function noiseModeOf(o: SynthesisCallOptions): NoiseMode {
  const mode = o.noiseMode ?? 'const';
  if (!['const', 'random', 'none'].includes(mode)) throw new InputError(`noise mode must be const, random or none, got '${mode}'`);
  return mode;
}

/** A network bound to an engine: its configuration, weights and the programs compiled from them. */
export abstract class BoundNetwork<C> {
  protected readonly programs: E.ProgramCache;
  constructor(
    readonly engine: E.Engine,
    readonly config: C,
    readonly weights: Weights,
  ) {
    this.programs = new E.ProgramCache(engine);
  }

  /** Number of compiled programs (ONNX Runtime sessions) this network holds open. */
  get sessions(): number {
    return this.programs.size;
  }

  /** Releases this network's sessions. */
  dispose(): Promise<void> {
    return this.programs.dispose();
  }
}

/** The dimensions every generator configuration carries. */
export interface GeneratorDims {
  zDim: number;
  cDim: number;
  wDim: number;
  imgResolution: number;
  imgChannels: number;
}

/** A generator bound to an engine: subclasses give the graphs, `numWs`, `wAvg` and the synthesis call. */
export abstract class BoundGenerator<C extends GeneratorDims> extends BoundNetwork<C> implements Generator {
  abstract readonly arch: string;
  abstract get numWs(): number;
  abstract wAvg(): Float32Array;
  abstract mappingGraph(batch: number, o?: MappingCallOptions & { classIdx?: number }): { ws: E.Tensor };
  abstract synthesisGraph(batch: number, o?: SynthesisGraphOptions): { img: E.Tensor };
  abstract graph(batch: number, o?: MappingCallOptions & { noiseMode?: NoiseMode; classIdx?: number }): { img: E.Tensor };
  abstract synthesis(ws: Float32Array, o?: SynthesisCallOptions): Promise<Float32Array>;

  get zDim(): number {
    return this.config.zDim;
  }
  get cDim(): number {
    return this.config.cDim;
  }
  get wDim(): number {
    return this.config.wDim;
  }
  get imgResolution(): number {
    return this.config.imgResolution;
  }
  get imgChannels(): number {
    return this.config.imgChannels;
  }

  /** Number of values in one image (channels x resolution x resolution). */
  get imageSize(): number {
    return this.config.imgChannels * this.config.imgResolution ** 2;
  }

  /** The truncation cutoff a call uses: the given one, else none (StyleGAN v1 has its own default). */
  cutoffOf(o: MappingCallOptions): number | null {
    return o.cutoff ?? null;
  }

  /**
   * Maps latents z [N, zDim] (float64 or float32; cast to float32 as the official code does) and labels c [N, cDim] to ws [N, numWs, wDim].
   * @example const ws = await G.mapping(zFromSeed(0, G.zDim), null, { psi: 0.7 });
   */
  async mapping(z: ArrayLike<number>, c: ArrayLike<number> | null, o: MappingCallOptions = {}): Promise<Float32Array> {
    const { zDim, cDim } = this.config;
    const batch = batchOf(z.length, zDim, 'mapping z');
    checkLabels(c, batch, cDim, 'mapping c');
    const psi = o.psi ?? DEFAULT_PSI;
    if (!Number.isFinite(psi)) throw new InputError(`truncation psi must be a finite number, got ${psi}`);
    const cutoff = this.cutoffOf(o);
    if (cutoff !== null && (!Number.isInteger(cutoff) || cutoff < 0)) throw new InputError(`truncation cutoff must be a non-negative integer, got ${cutoff}`);
    const prog = await this.programs.get(`mapping:${batch}:${psi}:${cutoff}`, () => this.mappingGraph(batch, { psi, cutoff }));
    const feeds: Record<string, E.Feed> = { z: Float32Array.from(z) };
    if (cDim > 0) feeds.c = Float32Array.from(c!);
    return (await prog.run(feeds)).ws!.data;
  }

  /**
   * mapping then synthesis, as G(z, c, truncation_psi, truncation_cutoff, noise_mode).
   * @example const img = await G.generate(z, null, { psi: 0.7, noiseMode: 'const' });
   */
  async generate(z: ArrayLike<number>, c: ArrayLike<number> | null, o: MappingCallOptions & SynthesisCallOptions = {}): Promise<Float32Array> {
    return this.synthesis(await this.mapping(z, c, o), o);
  }
}

/** The dimensions every discriminator configuration carries. */
export interface DiscriminatorDims {
  cDim: number;
  imgResolution: number;
  imgChannels: number;
}

/** A discriminator bound to an engine: images [N, C, R, R] (and labels) to logits [N, 1]. */
export abstract class BoundDiscriminator<C extends DiscriminatorDims> extends BoundNetwork<C> {
  /** The discriminator graph for a batch size: inputs 'img' (and 'c') -> logits. */
  abstract graph(batch: number): { logits: E.Tensor };

  /**
   * Logits [N, 1] of images [N, C, R, R] and labels [N, cDim].
   * @example const logits = await D.logits(img, null);
   */
  async logits(img: Float32Array, c: ArrayLike<number> | null): Promise<Float32Array> {
    const { imgChannels: C, imgResolution: R, cDim } = this.config;
    const per = C * R * R;
    if (img.length === 0 || img.length % per !== 0) throw new InputError(`discriminator: expected images of ${per} values ([${C}, ${R}, ${R}]), got ${img.length}`);
    const batch = img.length / per;
    checkLabels(c, batch, cDim, 'discriminator c');
    const prog = await this.programs.get(`d:${batch}`, () => this.graph(batch));
    const feeds: Record<string, E.Feed> = { img };
    if (cDim > 0) feeds.c = Float32Array.from(c!);
    return (await prog.run(feeds)).logits!.data;
  }
}
