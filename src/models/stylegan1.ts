// StyleGAN (v1) generator and discriminator bound to an engine: compiled programs cached per batch size and
// options, fed with plain arrays. Graphs come from src/nets/stylegan1; the generator implements the shared
// Generator interface, so generation, video and DragGAN run on it unchanged.
import * as E from '../engine/index.js';
import { seededSource } from '../random/source.js';
import type { StyleGAN1DiscriminatorConfig, StyleGAN1GeneratorConfig } from '../nets/stylegan1/config.js';
import { numLayersOf } from '../nets/stylegan1/config.js';
import { discriminator1 } from '../nets/stylegan1/discriminator.js';
import { upscale2d } from '../nets/stylegan1/layers.js';
import { mappingNetwork1 } from '../nets/stylegan1/mapping.js';
import { truncation } from '../nets/truncation.js';
import { synthesisNetwork1 } from '../nets/stylegan1/synthesis.js';
import type { NoiseMode } from '../nets/stylegan2/synthesis.js';
import { BoundDiscriminator, BoundGenerator, batchOf, noiseModeOf } from './bound.js';
import type { MappingCallOptions, SynthesisCallOptions, SynthesisGraphOptions } from './generator.js';
import { oneHot } from './stylegan2.js';

/**
 * The StyleGAN (v1) generator: G_mapping z -> ws, G_style's truncation, G_synthesis ws -> image (lod 0).
 * @example const G = new StyleGAN1Generator(engine, cfg, weights); const img = await G.generate(z, null, { psi: 0.7 });
 */
export class StyleGAN1Generator extends BoundGenerator<StyleGAN1GeneratorConfig> {
  readonly arch = 'stylegan1';
  get numWs(): number {
    return numLayersOf(this.config.imgResolution);
  }

  /** The tracked average w (`dlatent_avg`), the centre of truncation. */
  wAvg(): Float32Array {
    return this.weights.parameter('dlatent_avg', [this.config.wDim]).data;
  }

  /**
   * The level of detail the network was saved at (the 'synthesis.lod' buffer): 0 for a fully grown network; a
   * snapshot taken while growing shows its images at that level, upscaled, as the official Gs.run does.
   */
  get lod(): number {
    const v = this.weights.has('synthesis.lod') ? this.weights.parameter('synthesis.lod', []).data[0]! : 0;
    return Number.isFinite(v) ? Math.min(Math.max(v, 0), Math.log2(this.config.imgResolution) - 2) : 0;
  }

  /** G_synthesis at the saved level of detail: ws -> img [N, C, R, R]. */
  private synthesize(ws: E.Tensor, o: { noiseMode: NoiseMode; features?: Map<string, E.Tensor> }): E.Tensor {
    const P = this.weights.scope('synthesis');
    const lod = this.lod;
    if (lod === 0) return synthesisNetwork1(this.config, P, ws, o);
    const res = this.config.imgResolution >> Math.floor(lod);
    return upscale2d(synthesisNetwork1(this.config, P, ws, { ...o, resolution: res, lod: E.constant(lod) }), this.config.imgResolution / res);
  }

  /** The truncation cutoff a call uses: the given one, else G_style's default (8 in the official). */
  override cutoffOf(o: MappingCallOptions): number | null {
    return o.cutoff ?? this.config.truncationCutoff;
  }

  /**
   * The mapping graph with truncation baked in: z [batch, zDim] (and c) -> ws [batch, numWs, wDim]. Truncation
   * lerps the first `cutoff` ws towards dlatent_avg by psi; without a cutoff G_style's default (8) applies.
   * @example const { ws } = G.mappingGraph(1, { psi: 0.7 });
   */
  mappingGraph(batch: number, o: MappingCallOptions & { classIdx?: number } = {}): { ws: E.Tensor } {
    const { zDim, cDim, wDim } = this.config;
    const z = E.input('z', [batch, zDim]);
    const c = cDim === 0 ? null : o.classIdx === undefined ? E.input('c', [batch, cDim]) : E.constant(oneHot(cDim, o.classIdx, batch), [batch, cDim]);
    const ws = mappingNetwork1(this.config, this.weights.scope('mapping'), z, c);
    const psi = o.psi ?? 1;
    return { ws: psi === 1 ? ws : truncation(ws, this.weights.tensor('dlatent_avg', [wDim]), psi, this.cutoffOf(o)) };
  }

  /**
   * The synthesis graph: input 'ws' [batch, numWs, wDim] -> img [batch, C, R, R]; `features` gets one map per block.
   * @example const feats = new Map(); const { img } = G.synthesisGraph(1, { noiseMode: 'const', features: feats });
   */
  synthesisGraph(batch: number, o: SynthesisGraphOptions = {}): { img: E.Tensor } {
    const ws = E.input('ws', [batch, this.numWs, this.config.wDim]);
    return { img: this.synthesize(ws, { noiseMode: o.noiseMode ?? 'const', features: o.features }) };
  }

  /**
   * The whole generator as one graph: z (and c unless `classIdx` bakes a label in) -> img.
   * @example const { bytes } = toOnnx(G.graph(1, { psi: 0.7, noiseMode: 'const' }));
   */
  graph(batch: number, o: MappingCallOptions & { noiseMode?: NoiseMode; classIdx?: number } = {}): { img: E.Tensor } {
    const { ws } = this.mappingGraph(batch, o);
    return { img: this.synthesize(ws, { noiseMode: o.noiseMode ?? 'const' }) };
  }

  /**
   * Synthesises images [N, C, R, R] (values about [-1, 1]) from ws [N, numWs, wDim].
   * @example const img = await G.synthesis(ws, { noiseMode: 'const' });
   */
  async synthesis(ws: Float32Array, o: SynthesisCallOptions = {}): Promise<Float32Array> {
    const batch = batchOf(ws.length, this.numWs * this.config.wDim, 'synthesis ws');
    const mode = noiseModeOf(o);
    const prog = await this.programs.get(`synthesis:${batch}:${mode}`, () => this.synthesisGraph(batch, { noiseMode: mode }));
    return (await prog.run({ ws }, { random: seededSource(o.noiseSeed ?? 0) })).img!.data;
  }
}

/**
 * The StyleGAN (v1) discriminator: images [N, C, R, R] (and labels) to scores [N, 1].
 * @example const scores = await D.logits(img, null);
 */
export class StyleGAN1Discriminator extends BoundDiscriminator<StyleGAN1DiscriminatorConfig> {
  /** The discriminator graph for a batch size at full resolution (lod 0). */
  graph(batch: number): { logits: E.Tensor } {
    const { imgChannels: C, imgResolution: R, cDim } = this.config;
    const img = E.input('img', [batch, C, R, R]);
    const c = cDim > 0 ? E.input('c', [batch, cDim]) : null;
    return { logits: discriminator1(this.config, this.weights.scope(''), img, c) };
  }
}
