// StyleGAN2 generator and discriminator bound to an engine: compiled programs cached per batch size and
// options, fed with plain arrays. Graphs come from src/nets/stylegan2; weights keep their official names.
import { InputError } from '../errors.js';
import * as E from '../engine/index.js';
import { seededSource } from '../random/source.js';
import type { DiscriminatorConfig, GeneratorConfig } from '../nets/stylegan2/config.js';
import { discriminator } from '../nets/stylegan2/discriminator.js';
import { mappingNetwork } from '../nets/stylegan2/mapping.js';
import { type NoiseMode, synthesisNetwork } from '../nets/stylegan2/synthesis.js';
import type { Weights } from '../nets/weights.js';
import type { Generator, MappingCallOptions, SynthesisCallOptions, SynthesisGraphOptions } from './generator.js';

export type { MappingCallOptions, SynthesisCallOptions, SynthesisGraphOptions } from './generator.js';

/** One-hot labels [N, cDim] for a class index, checking the range. */
export function oneHot(cDim: number, classIdx: number | null | undefined, batch = 1): Float32Array {
  const c = new Float32Array(batch * cDim);
  if (cDim === 0) {
    if (classIdx !== null && classIdx !== undefined) throw new InputError(`this network is unconditional: --class ${classIdx} cannot be used`);
    return c;
  }
  if (classIdx === null || classIdx === undefined) throw new InputError(`this network is conditional: give a class index between 0 and ${cDim - 1} (--class)`);
  if (!Number.isInteger(classIdx) || classIdx < 0 || classIdx >= cDim) throw new InputError(`class index ${classIdx} is out of range: this network has ${cDim} classes (0-${cDim - 1})`);
  for (let n = 0; n < batch; n++) c[n * cDim + classIdx] = 1;
  return c;
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

/** Checks a label batch [batch, cDim] for a conditional network. */
export function checkLabels(c: ArrayLike<number> | null, batch: number, cDim: number, what: string): void {
  if (cDim > 0 && (!c || c.length !== batch * cDim)) throw new InputError(`${what}: expected ${batch * cDim} label values ([${batch}, ${cDim}]), got ${c?.length ?? 0}`);
}

/**
 * The StyleGAN2 generator: mapping z -> ws and synthesis ws -> image.
 * @example const ws = await G.mapping(z, null, { psi: 0.7 }); const img = await G.synthesis(ws, { noiseMode: 'const' });
 */
export class StyleGAN2Generator extends BoundNetwork<GeneratorConfig> implements Generator {
  readonly arch = 'stylegan2';
  get numWs(): number {
    return this.config.mapping.numWs!;
  }
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

  /** The tracked average w (`mapping.w_avg`), the centre of truncation. */
  wAvg(): Float32Array {
    return this.weights.parameter('mapping.w_avg', [this.config.wDim]).data;
  }

  /** Number of values in one image (channels x resolution x resolution). */
  get imageSize(): number {
    return this.config.imgChannels * this.config.imgResolution ** 2;
  }

  private batchOf(n: number, per: number, what: string): number {
    if (n === 0 || n % per !== 0) throw new InputError(`${what}: expected a multiple of ${per} values, got ${n}`);
    return n / per;
  }

  /** The mapping graph for a batch size and truncation (psi and cutoff baked in; `classIdx` bakes the label too). */
  mappingGraph(batch: number, o: MappingCallOptions & { classIdx?: number } = {}): { ws: E.Tensor } {
    const { zDim, cDim } = this.config;
    const z = zDim > 0 ? E.input('z', [batch, zDim]) : null;
    const c = cDim === 0 ? null : o.classIdx === undefined ? E.input('c', [batch, cDim]) : E.constant(oneHot(cDim, o.classIdx, batch), [batch, cDim]);
    return { ws: mappingNetwork(this.config.mapping, this.weights.scope('mapping'), z, c, o) };
  }

  /** The synthesis graph for a batch size. */
  synthesisGraph(batch: number, o: SynthesisGraphOptions = {}): { img: E.Tensor } {
    const ws = E.input('ws', [batch, this.numWs, this.config.wDim]);
    return { img: synthesisNetwork(this.config.synthesis, this.weights.scope('synthesis'), ws, { noiseMode: o.noiseMode ?? 'const', fused: o.fused, features: o.features }) };
  }

  /**
   * The whole generator as one graph: z [batch, zDim] (and c [batch, cDim] unless `classIdx` bakes a label in) -> img.
   * @example const { bytes } = toOnnx(G.graph(1, { psi: 0.7, noiseMode: 'const' }));
   */
  graph(batch: number, o: MappingCallOptions & { noiseMode?: NoiseMode; classIdx?: number } = {}): { img: E.Tensor } {
    const { ws } = this.mappingGraph(batch, o);
    return { img: synthesisNetwork(this.config.synthesis, this.weights.scope('synthesis'), ws, { noiseMode: o.noiseMode ?? 'const' }) };
  }

  /**
   * Maps latents z [N, zDim] (float64 or float32; cast to float32 as the official code does) and labels c [N, cDim] to ws [N, numWs, wDim].
   * @example const ws = await G.mapping(zFromSeed(0, G.config.zDim), null, { psi: 0.7 });
   */
  async mapping(z: ArrayLike<number>, c: ArrayLike<number> | null, o: MappingCallOptions = {}): Promise<Float32Array> {
    const { zDim, cDim } = this.config;
    const batch = this.batchOf(z.length, zDim, 'mapping z');
    checkLabels(c, batch, cDim, 'mapping c');
    const psi = o.psi ?? 1;
    if (!Number.isFinite(psi)) throw new InputError(`truncation psi must be a finite number, got ${psi}`);
    const cutoff = o.cutoff ?? null;
    if (cutoff !== null && (!Number.isInteger(cutoff) || cutoff < 0)) throw new InputError(`truncation cutoff must be a non-negative integer, got ${cutoff}`);
    const key = `mapping:${batch}:${psi}:${cutoff}`;
    const prog = await this.programs.get(key, () => this.mappingGraph(batch, { psi, cutoff }));
    const feeds: Record<string, E.Feed> = { z: Float32Array.from(z) };
    if (cDim > 0) feeds.c = Float32Array.from(c!);
    return (await prog.run(feeds)).ws!.data;
  }

  /**
   * Synthesises images [N, C, R, R] (values about [-1, 1]) from ws [N, numWs, wDim].
   * @example const img = await G.synthesis(ws, { noiseMode: 'const' });
   */
  async synthesis(ws: Float32Array, o: SynthesisCallOptions = {}): Promise<Float32Array> {
    const batch = this.batchOf(ws.length, this.numWs * this.config.wDim, 'synthesis ws');
    const mode = o.noiseMode ?? 'const';
    if (o.transform) throw new InputError('an input transform (translate/rotate) needs a StyleGAN3 network; this one is StyleGAN2');
    if (!['const', 'random', 'none'].includes(mode)) throw new InputError(`noise mode must be const, random or none, got '${mode}'`);
    const prog = await this.programs.get(`synthesis:${batch}:${mode}:${o.fused ? 'fused' : 'fast'}`, () => this.synthesisGraph(batch, o));
    return (await prog.run({ ws }, { random: seededSource(o.noiseSeed ?? 0) })).img!.data;
  }

  /**
   * mapping then synthesis, as G(z, c, truncation_psi, truncation_cutoff, noise_mode).
   * @example const img = await G.generate(z, null, { psi: 0.7, noiseMode: 'const' });
   */
  async generate(z: ArrayLike<number>, c: ArrayLike<number> | null, o: MappingCallOptions & SynthesisCallOptions = {}): Promise<Float32Array> {
    return this.synthesis(await this.mapping(z, c, o), o);
  }
}

/**
 * The StyleGAN2 discriminator: images [N, C, R, R] (and labels) to logits [N, 1].
 * @example const logits = await D.logits(img, null);
 */
export class StyleGAN2Discriminator extends BoundNetwork<DiscriminatorConfig> {
  /** The discriminator graph for a batch size. */
  graph(batch: number): { logits: E.Tensor } {
    const { imgChannels: C, imgResolution: R, cDim } = this.config;
    const img = E.input('img', [batch, C, R, R]);
    const c = cDim > 0 ? E.input('c', [batch, cDim]) : null;
    return { logits: discriminator(this.config, this.weights.scope(''), img, c) };
  }

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
