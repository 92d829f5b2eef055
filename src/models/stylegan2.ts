// StyleGAN2 generator and discriminator bound to an engine: compiled programs cached per batch size and
// options, fed with plain arrays. Graphs come from src/nets/stylegan2; weights keep their official names.
import { InputError } from '../errors.js';
import * as E from '../engine/index.js';
import { seededSource } from '../random/source.js';
import type { DiscriminatorConfig, GeneratorConfig } from '../nets/stylegan2/config.js';
import { discriminator } from '../nets/stylegan2/discriminator.js';
import { mappingNetwork } from '../nets/stylegan2/mapping.js';
import { type NoiseMode, synthesisNetwork } from '../nets/stylegan2/synthesis.js';
import { BoundDiscriminator, BoundGenerator, batchOf, noiseModeOf } from './bound.js';
import type { WinogradMode } from '../nets/ops/winograd.js';
import type { MappingCallOptions, SynthesisCallOptions, SynthesisGraphOptions } from './generator.js';

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

export { BoundNetwork, checkLabels } from './bound.js';

export interface SynthesisGraphOptions2 extends SynthesisGraphOptions {
  /** Winograd 3x3 convs in the wide layers (default 'auto'; the weights are constants here, gradients by rule for DragGAN). */
  winograd?: WinogradMode;
}

/**
 * The StyleGAN2 generator: mapping z -> ws and synthesis ws -> image.
 * @example const ws = await G.mapping(z, null, { psi: 0.7 }); const img = await G.synthesis(ws, { noiseMode: 'const' });
 */
export class StyleGAN2Generator extends BoundGenerator<GeneratorConfig> {
  readonly arch = 'stylegan2';
  get numWs(): number {
    return this.config.mapping.numWs!;
  }

  /** The tracked average w (`mapping.w_avg`), the centre of truncation. */
  wAvg(): Float32Array {
    return this.weights.parameter('mapping.w_avg', [this.config.wDim]).data;
  }

  /** The mapping graph for a batch size and truncation (psi and cutoff baked in; `classIdx` bakes the label too). */
  mappingGraph(batch: number, o: MappingCallOptions & { classIdx?: number } = {}): { ws: E.Tensor } {
    const { zDim, cDim } = this.config;
    const z = zDim > 0 ? E.input('z', [batch, zDim]) : null;
    const c = cDim === 0 ? null : o.classIdx === undefined ? E.input('c', [batch, cDim]) : E.constant(oneHot(cDim, o.classIdx, batch), [batch, cDim]);
    return { ws: mappingNetwork(this.config.mapping, this.weights.scope('mapping'), z, c, o) };
  }

  /** The synthesis graph for a batch size. */
  synthesisGraph(batch: number, o: SynthesisGraphOptions2 = {}): { img: E.Tensor } {
    const ws = E.input('ws', [batch, this.numWs, this.config.wDim]);
    return { img: synthesisNetwork(this.config.synthesis, this.weights.scope('synthesis'), ws, { noiseMode: o.noiseMode ?? 'const', fused: o.fused, features: o.features, winograd: o.winograd ?? 'auto' }) };
  }

  /**
   * The whole generator as one graph: z [batch, zDim] (and c [batch, cDim] unless `classIdx` bakes a label in) -> img.
   * @example const { bytes } = toOnnx(G.graph(1, { psi: 0.7, noiseMode: 'const' }));
   */
  graph(batch: number, o: MappingCallOptions & { noiseMode?: NoiseMode; classIdx?: number } = {}): { img: E.Tensor } {
    const { ws } = this.mappingGraph(batch, o);
    return { img: synthesisNetwork(this.config.synthesis, this.weights.scope('synthesis'), ws, { noiseMode: o.noiseMode ?? 'const', winograd: 'auto' }) };
  }

  /**
   * Synthesises images [N, C, R, R] (values about [-1, 1]) from ws [N, numWs, wDim].
   * @example const img = await G.synthesis(ws, { noiseMode: 'const' });
   */
  async synthesis(ws: Float32Array, o: SynthesisCallOptions = {}): Promise<Float32Array> {
    const batch = batchOf(ws.length, this.numWs * this.config.wDim, 'synthesis ws');
    if (o.transform) throw new InputError('an input transform (translate/rotate) needs a StyleGAN3 network; this one is StyleGAN2');
    const mode = noiseModeOf(o);
    const prog = await this.programs.get(`synthesis:${batch}:${mode}:${o.fused ? 'fused' : 'fast'}`, () => this.synthesisGraph(batch, o));
    return (await prog.run({ ws }, { random: seededSource(o.noiseSeed ?? 0) })).img!.data;
  }
}

/**
 * The StyleGAN2 discriminator: images [N, C, R, R] (and labels) to logits [N, 1].
 * @example const logits = await D.logits(img, null);
 */
export class StyleGAN2Discriminator extends BoundDiscriminator<DiscriminatorConfig> {
  /** The discriminator graph for a batch size. */
  graph(batch: number): { logits: E.Tensor } {
    const { imgChannels: C, imgResolution: R, cDim } = this.config;
    const img = E.input('img', [batch, C, R, R]);
    const c = cDim > 0 ? E.input('c', [batch, cDim]) : null;
    return { logits: discriminator(this.config, this.weights.scope(''), img, c) };
  }
}
