// StyleGAN3 generator bound to an engine: compiled programs cached per batch size and options, fed with plain
// arrays. Graphs come from src/nets/stylegan3 (mapping from src/nets/stylegan2); weights keep their official names.
import { InputError } from '../errors.js';
import * as E from '../engine/index.js';
import { mappingNetwork } from '../nets/stylegan2/mapping.js';
import type { GeneratorConfig3 } from '../nets/stylegan3/config.js';
import type { WinogradMode } from '../nets/ops/winograd.js';
import { synthesisNetwork3 } from '../nets/stylegan3/synthesis.js';
import { BoundGenerator, batchOf, noiseModeOf } from './bound.js';
import type { MappingCallOptions, SynthesisCallOptions, SynthesisGraphOptions } from './generator.js';
import { oneHot } from './stylegan2.js';

export interface SynthesisGraphOptions3 extends SynthesisGraphOptions {
  /** Read the user transform from a graph input 'transform' [3, 3] (instead of `transform` values or the stored buffer). */
  transformInput?: boolean;
  /** Winograd 3x3 convs in the wide layers (see SynthesisOptions3.winograd; default 'auto', with gradients by rule for DragGAN). */
  winograd?: WinogradMode;
}

/** The 3x3 transform matrix as 9 float32 values, checked. */
function transformValues(t: ArrayLike<number>): Float32Array {
  if (t.length !== 9 || !Array.from(t).every(Number.isFinite)) throw new InputError(`a StyleGAN3 input transform is a 3x3 matrix of 9 finite values, got ${t.length} values`);
  return Float32Array.from(t);
}

/**
 * The StyleGAN3 generator (configs T and R): mapping z -> ws and synthesis ws -> image; translate or rotate the
 * input through `transform` (the inverse transform gen_images.py stores) without recompiling.
 * @example const img = await G.synthesis(await G.mapping(z, null, { psi: 0.7 }), { transform: inverse(makeTransform([0.25, 0], 30)) });
 */
export class StyleGAN3Generator extends BoundGenerator<GeneratorConfig3> {
  readonly arch = 'stylegan3';
  get numWs(): number {
    return this.config.synthesis.numLayers + 2;
  }

  /** The tracked average w (`mapping.w_avg`), the centre of truncation. */
  wAvg(): Float32Array {
    return this.weights.parameter('mapping.w_avg', [this.config.wDim]).data;
  }

  /** The stored user transform (`synthesis.input.transform`, identity in snapshots). */
  storedTransform(): Float32Array {
    return this.weights.parameter('synthesis.input.transform', [3, 3]).data;
  }

  /** The mapping graph for a batch size and truncation (psi and cutoff baked in; `classIdx` bakes the label too). */
  mappingGraph(batch: number, o: MappingCallOptions & { classIdx?: number } = {}): { ws: E.Tensor } {
    const { zDim, cDim } = this.config;
    const z = E.input('z', [batch, zDim]);
    const c = cDim === 0 ? null : o.classIdx === undefined ? E.input('c', [batch, cDim]) : E.constant(oneHot(cDim, o.classIdx, batch), [batch, cDim]);
    return { ws: mappingNetwork(this.config.mapping, this.weights.scope('mapping'), z, c, o) };
  }

  /** The synthesis graph for a batch size: input 'ws' [batch, numWs, wDim] (and 'transform' [3, 3] when `transformInput`). */
  synthesisGraph(batch: number, o: SynthesisGraphOptions3 = {}): { img: E.Tensor } {
    const ws = E.input('ws', [batch, this.numWs, this.config.wDim]);
    return { img: this.synthesisOf(ws, { winograd: 'auto', ...o }) };
  }

  private synthesisOf(ws: E.Tensor, o: SynthesisGraphOptions3): E.Tensor {
    const transform = o.transformInput ? E.input('transform', [3, 3]) : o.transform ? E.constant(transformValues(o.transform), [3, 3]) : undefined;
    return synthesisNetwork3(this.config.synthesis, this.weights.scope('synthesis'), ws, { reference: o.fused, transform, features: o.features, winograd: o.winograd });
  }

  /**
   * The whole generator as one graph: z [batch, zDim] (and c [batch, cDim] unless `classIdx` bakes a label in) -> img.
   * @example const { bytes } = toOnnx(G.graph(1, { psi: 0.7 }));
   */
  graph(batch: number, o: MappingCallOptions & SynthesisGraphOptions3 & { classIdx?: number } = {}): { img: E.Tensor } {
    return { img: this.synthesisOf(this.mappingGraph(batch, o).ws, { winograd: 'auto', ...o }) };
  }

  /**
   * Synthesises images [N, C, R, R] (values about [-1, 1]) from ws [N, numWs, wDim]; `transform` is fed at run time.
   * StyleGAN3 has no noise inputs: every noise mode gives the same image.
   * @example const img = await G.synthesis(ws, { transform: [1, 0, -0.25, 0, 1, 0.1, 0, 0, 1] });
   */
  async synthesis(ws: Float32Array, o: SynthesisCallOptions = {}): Promise<Float32Array> {
    const batch = batchOf(ws.length, this.numWs * this.config.wDim, 'synthesis ws');
    noiseModeOf(o); // checked for every architecture, though StyleGAN3 has no noise inputs
    const transform = o.transform ? transformValues(o.transform) : this.storedTransform();
    const prog = await this.programs.get(`synthesis:${batch}:${o.fused ? 'reference' : 'fast'}`, () => this.synthesisGraph(batch, { fused: o.fused, transformInput: true, winograd: 'auto' }));
    return (await prog.run({ ws, transform })).img!.data;
  }
}
