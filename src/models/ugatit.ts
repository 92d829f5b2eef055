// A U-GAT-IT checkpoint bound to an engine: the six networks as cached programs, and translation.
import { CheckpointError, InputError } from '../errors.js';
import * as E from '../engine/index.js';
import { type Direction, DISCRIMINATOR_NETS, type UgatitConfig, type UgatitNet, UGATIT_NETS } from '../nets/ugatit/config.js';
import { storedVectors, ugatitDiscriminator } from '../nets/ugatit/discriminator.js';
import { resnetGenerator, type UgatitOutputs } from '../nets/ugatit/generator.js';
import type { TensorData } from '../io/tensor.js';
import { Weights, type WeightScope } from '../nets/weights.js';
import type { UgatitCheckpoint } from './ugatit-checkpoint.js';

/** Results of one network call, as Float32Arrays with their shapes (NCHW). */
export interface UgatitResult {
  out: E.Output; // [N, 3, H, W] (generators) or [N, 1, h, w] (discriminators)
  camLogit: E.Output; // [N, 2]
  heatmap: E.Output; // [N, 1, h, w]
}

/** The generator that translates in a direction. */
export const generatorFor = (d: Direction): UgatitNet => (d === 'A2B' ? 'genA2B' : 'genB2A');

/**
 * Builds one network's graph on x [N, 3, imgSize, imgSize] (discriminators in eval mode: stored u, v).
 * @example const { out } = ugatitGraph(weights.scope('genA2B'), cfg, 'genA2B', E.input('x', [1, 3, 256, 256]));
 */
export function ugatitGraph(P: WeightScope, cfg: UgatitConfig, net: UgatitNet, x: E.Tensor): UgatitOutputs {
  if (net.startsWith('gen')) return resnetGenerator(P, cfg, x);
  return ugatitDiscriminator(P, cfg.ch, net.startsWith('disG') ? cfg.globalLayers : cfg.localLayers, x, storedVectors(P));
}

/** All networks' tensors in one store, named `<net>.<official name>` (graph parameter names must be unique). */
export function ugatitWeights(ckpt: UgatitCheckpoint): Weights {
  const tensors = new Map<string, TensorData>();
  for (const net of UGATIT_NETS) for (const [name, t] of ckpt.networks[net] ?? []) tensors.set(`${net}.${name}`, t);
  return new Weights(tensors, 'U-GAT-IT');
}

/**
 * U-GAT-IT networks of a checkpoint, run on an engine. Programs are compiled once per network and batch size;
 * with paramsAs 'inputs' they read the weights' current values on every run (training updates them in place).
 * @example const m = new UgatitModel(engine, readUgatitParams(bytes)); const { out } = await m.run('genA2B', x, 1); await m.dispose();
 */
export class UgatitModel {
  readonly config: UgatitConfig;
  /** Every network's weights (`<net>.<official name>`), shared with training. */
  readonly weights: Weights;
  private readonly nets: ReadonlySet<UgatitNet>;
  private readonly cache: E.ProgramCache;
  constructor(
    readonly engine: E.Engine,
    ckpt: UgatitCheckpoint,
    private readonly paramsAs: E.ParamsAs = 'initializers',
  ) {
    this.config = ckpt.config;
    this.nets = new Set(UGATIT_NETS.filter((n) => ckpt.networks[n]));
    this.weights = ugatitWeights(ckpt);
    this.cache = new E.ProgramCache(engine);
  }

  /** Whether the checkpoint holds a network. */
  has(net: UgatitNet): boolean {
    return this.nets.has(net);
  }

  /** The weights of one network. */
  scope(net: UgatitNet): WeightScope {
    if (!this.has(net)) throw new CheckpointError(`the checkpoint holds no ${net} network`);
    return this.weights.scope(net);
  }

  /**
   * Runs one network on images x [batch, 3, imgSize, imgSize] in [-1, 1] (row-major Float32Array).
   * @example const { out, camLogit, heatmap } = await model.run('disLA', x, 2);
   */
  async run(net: UgatitNet, x: Float32Array, batch: number): Promise<UgatitResult> {
    const s = this.config.imgSize;
    if (!Number.isInteger(batch) || batch < 1) throw new InputError(`batch must be a positive integer, got ${batch}`);
    if (x.length !== batch * 3 * s * s) throw new InputError(`${net} expects ${batch}x3x${s}x${s} = ${batch * 3 * s * s} values, got ${x.length}`);
    const P = this.scope(net);
    const program = await this.cache.get(
      `${net}:${batch}`,
      () => {
        const o = ugatitGraph(P, this.config, net, E.input('x', [batch, 3, s, s]));
        return { out: o.out, camLogit: o.camLogit, heatmap: o.heatmap };
      },
      this.paramsAs,
    );
    const r = await program.run({ x });
    return { out: r.out!, camLogit: r.camLogit!, heatmap: r.heatmap! };
  }

  /**
   * Translates images x [batch, 3, imgSize, imgSize] in [-1, 1] from one domain to the other.
   * @example const { out } = await model.translate('A2B', x, 1); // out.data in [-1, 1]
   */
  translate(direction: Direction, x: Float32Array, batch: number): Promise<UgatitResult> {
    return this.run(generatorFor(direction), x, batch);
  }

  /** The discriminators the checkpoint holds. */
  get discriminators(): UgatitNet[] {
    return DISCRIMINATOR_NETS.filter((n) => this.has(n));
  }

  /** Releases every compiled program. */
  dispose(): Promise<void> {
    return this.cache.dispose();
  }
}
