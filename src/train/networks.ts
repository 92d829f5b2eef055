// Networks as the training loop sees them: graph builders over shared Parameters, whatever the architecture.
// Each architecture (train/stylegan/stylegan{1,2,3}.ts) implements these interfaces over SpecNetwork.
import * as E from '../engine/index.js';
import { type TensorData, toFloat32 } from '../io/tensor.js';
import type { ParamSpec } from '../nets/stylegan2/init.js';
import type { NoiseMode } from '../nets/stylegan2/synthesis.js';
import { Weights } from '../nets/weights.js';
import type { GeneratorDims } from '../models/bound.js';
import type { Checkpoint } from '../models/checkpoint.js';

/** A network whose tensors are Parameters (fed at run time, so one compiled graph serves every step). */
export interface TrainableNetwork {
  readonly weights: Weights;
  /** Every tensor of the network in state_dict order (official names; buffers flagged). */
  readonly specs: readonly TensorSpec[];
  /** Trained parameters in `module.parameters()` order. */
  parameters(): E.Parameter[];
  /** Buffers (w_avg, noise_const, filters, ...) in state_dict order. */
  buffers(): E.Parameter[];
  /** The current tensors by official name (copies), for snapshots. */
  tensors(): Map<string, TensorData>;
}

export interface TrainableGenerator extends TrainableNetwork {
  readonly zDim: number;
  readonly cDim: number;
  readonly wDim: number;
  readonly numWs: number;
  readonly imgResolution: number;
  readonly imgChannels: number;
  /** G.mapping without truncation: z [N, zDim], c [N, cDim] -> ws [N, numWs, wDim]. */
  mapping(z: E.Tensor, c: E.Tensor | null): E.Tensor;
  /**
   * G.synthesis: ws [N, numWs, wDim] -> img [N, C, R, R]. Random noise inputs are named 'noise_*'. With
   * `emaUpdates`, buffers that G.synthesis(update_emas=True) updates (StyleGAN3's magnitude EMAs) are updated
   * in the graph, used, and their new values put in the map by name.
   */
  synthesis(ws: E.Tensor, noiseMode: NoiseMode, emaUpdates?: Map<string, E.Tensor>): E.Tensor;
  /** Name of the tracked w average buffer (updated by the loop in the D phase, as update_emas=True does), if any. */
  readonly wAvgName: string | null;
  /** Its decay (w_avg_beta). */
  readonly wAvgBeta: number;
  /** Changes when the graphs this network builds change (progressive growing); absent when they never do. */
  readonly graphKey?: string;
}

export interface TrainableDiscriminator extends TrainableNetwork {
  readonly cDim: number;
  /** D: img [N, C, R, R], c [N, cDim] -> logits [N, 1]. */
  forward(img: E.Tensor, c: E.Tensor | null): E.Tensor;
}

/** What the loop needs of a tensor spec (StyleGAN2's ParamSpec, StyleGAN3's ParamSpec3, ...). */
export type TensorSpec = Pick<ParamSpec, 'name' | 'shape' | 'buffer'>;

/** Shared bookkeeping of a network built from specs and a tensor map. */
export abstract class SpecNetwork implements TrainableNetwork {
  readonly weights: Weights;
  constructor(
    readonly specs: readonly TensorSpec[],
    tensors: ReadonlyMap<string, TensorData>,
    what: string,
    paramPrefix = '',
  ) {
    // Own copies: training updates them in place, and G_ema must not share G's arrays.
    const own = new Map([...tensors].map(([k, t]) => [k, { dtype: 'float32' as const, shape: [...t.shape], data: toFloat32(t).slice() }]));
    this.weights = new Weights(own, what, paramPrefix);
    for (const s of specs) this.weights.parameter(s.name, s.shape); // create (and check) every tensor up front
  }
  parameters(): E.Parameter[] {
    return this.specs.filter((s) => !s.buffer && s.shape.reduce((a, b) => a * b, 1) > 0).map((s) => this.weights.parameter(s.name));
  }
  buffers(): E.Parameter[] {
    return this.specs.filter((s) => s.buffer).map((s) => this.weights.parameter(s.name));
  }
  tensors(): Map<string, TensorData> {
    return new Map(this.specs.map((s) => [s.name, { dtype: 'float32', shape: [...s.shape], data: this.weights.parameter(s.name).data.slice() }]));
  }
}

/** A trainable generator built from specs: its configuration's dimensions, as every architecture names them. */
export abstract class SpecGenerator<C extends GeneratorDims> extends SpecNetwork {
  constructor(
    readonly config: C,
    specs: readonly TensorSpec[],
    tensors: ReadonlyMap<string, TensorData>,
    what: string,
  ) {
    super(specs, tensors, what);
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
}

/** A trained network as a checkpoint entry needs it: its configuration and current tensors. */
interface Configured {
  readonly config: object;
  tensors(): Map<string, TensorData>;
}

/**
 * A checkpoint (our format) of a run's current tensors: G and G_ema of architecture `arch`, D of `dArch`.
 * @example const ckpt = trainingCheckpoint('stylegan3', 'stylegan2', nets);
 */
export function trainingCheckpoint(arch: Checkpoint['arch'], dArch: string, nets: { G: Configured; G_ema: Configured; D: Configured }): Checkpoint {
  const entry = (kind: 'generator' | 'discriminator', a: string, n: Configured) => ({ kind, arch: a, config: n.config, tensors: n.tensors() });
  // The entry types tie each arch to its config type; the networks here carry exactly those pairs.
  return {
    arch,
    format: 'stylelab',
    networks: { G: entry('generator', arch, nets.G), G_ema: entry('generator', arch, nets.G_ema), D: entry('discriminator', dArch, nets.D) },
  } as Checkpoint;
}
