// UGATIT.py's train(): per iteration one discriminator update then one generator update (Adam, betas (0.5,
// 0.999), L2 weight decay), linear learning-rate decay over the second half, rho clipped to [0, 1] after each
// generator step. Gradients come from the engine; Adam runs in TypeScript on the parameters in place.
import * as E from '../../engine/index.js';
import { InputError } from '../../errors.js';
import type { TensorData } from '../../io/tensor.js';
import { DISCRIMINATOR_NETS, GENERATOR_NETS, netSpecs, UGATIT_NETS, type UgatitConfig } from '../../nets/ugatit/config.js';
import { powerIteration } from '../../nets/ugatit/spectral-norm.js';
import type { Weights } from '../../nets/weights.js';
import type { UgatitCheckpoint } from '../../models/ugatit-checkpoint.js';
import { UgatitModel } from '../../models/ugatit.js';
import { DEFAULT_LOSS_WEIGHTS, discriminatorStep, generatorStep, type LossWeights, type StepGraph } from './graphs.js';

export interface UgatitTrainOptions {
  /** Total iterations (--iteration; the official default is 1000000). */
  iterations: number;
  /** Images per domain per iteration (--batch_size 1). */
  batch: number;
  /** Adam learning rate (--lr 1e-4). */
  lr: number;
  /** Adam L2 weight decay (--weight_decay 1e-4). */
  weightDecay: number;
  /** Linear lr decay to 0 over the second half of the run (--decay_flag True). */
  decay: boolean;
  lossWeights: LossWeights;
  /** Seed of initialisation, data order and augmentation. */
  seed: number;
}

export const DEFAULT_TRAIN_OPTIONS: UgatitTrainOptions = { iterations: 1000000, batch: 1, lr: 1e-4, weightDecay: 1e-4, decay: true, lossWeights: DEFAULT_LOSS_WEIGHTS, seed: 0 };

/** Adam's betas in UGATIT.py. */
export const ADAM_BETAS: [number, number] = [0.5, 0.999];

/**
 * The learning rate of 1-based iteration `it`: constant, then (with decay) falling linearly over the second half.
 * @example learningRate(750, { iterations: 1000, lr: 1e-4, decay: true }) // 5e-5
 */
export function learningRate(it: number, o: Pick<UgatitTrainOptions, 'iterations' | 'lr' | 'decay'>): number {
  const half = Math.floor(o.iterations / 2);
  if (!o.decay || it <= half || half === 0) return o.lr;
  return Math.max(o.lr * (1 - (it - half) / half), 0);
}

/** Saved optimizer state: step counts and moments by parameter name. */
export interface OptimizerState {
  steps: { G: number; D: number };
  tensors: Map<string, TensorData>;
}

/**
 * The step programs run one after the other, each with a working set of gigabytes: without ORT's arena and
 * memory pattern neither keeps its peak reserved while the other runs (peak RSS at 128x128: 9.7 -> 4.2 GiB).
 */
const STEP_MEMORY: E.SessionMemory = { arena: false, pattern: false };

/** A compiled training step with its optimizer. */
interface Step {
  graph: StepGraph;
  program: E.Program;
  adam: E.Adam;
}

/**
 * A U-GAT-IT training run on an engine: `step()` does one official iteration. Networks live in `model`
 * (whose programs read the current weights), so translating samples mid-run shows the latest generators.
 * @example const t = await UgatitTrainer.create(engine, initUgatit(cfg, 0), opts); const losses = await t.step(a, b); await t.dispose();
 */
export class UgatitTrainer {
  /** Iterations done so far. */
  iteration = 0;
  private constructor(
    readonly model: UgatitModel,
    readonly options: UgatitTrainOptions,
    private readonly d: Step,
    private readonly g: Step,
  ) {}

  static async create(engine: E.Engine, ckpt: UgatitCheckpoint, options: UgatitTrainOptions): Promise<UgatitTrainer> {
    validateTrainOptions(options);
    for (const net of UGATIT_NETS) if (!ckpt.networks[net]) throw new InputError(`training needs all six networks; the checkpoint has no ${net}`);
    const model = new UgatitModel(engine, ckpt, 'inputs');
    const adamOptions = { lr: options.lr, betas: ADAM_BETAS, weightDecay: options.weightDecay };
    const compile = async (graph: StepGraph): Promise<Step> => ({ graph, program: await engine.compile(graph.outputs, 'inputs', STEP_MEMORY), adam: new E.Adam(graph.params, adamOptions) });
    const d = await compile(discriminatorStep(model.weights, model.config, options.batch, options.lossWeights));
    try {
      const g = await compile(generatorStep(model.weights, model.config, options.batch, options.lossWeights));
      return new UgatitTrainer(model, options, d, g);
    } catch (e) {
      await d.program.dispose();
      throw e;
    }
  }

  get config(): UgatitConfig {
    return this.model.config;
  }

  /**
   * One iteration on batches a, b ([batch, 3, size, size] in [-1, 1]): the discriminator update, then the
   * generator update. Returns the loss terms.
   * @example const { D_loss, G_loss } = await trainer.step(a, b);
   */
  async step(a: Float32Array, b: Float32Array): Promise<Record<string, number>> {
    const it = this.iteration + 1;
    const lr = learningRate(it, this.options);
    this.d.adam.options.lr = lr;
    this.g.adam.options.lr = lr;
    const dLosses = await this.update(this.d, a, b);
    const gLosses = await this.update(this.g, a, b);
    this.clipRho();
    this.iteration = it;
    return { ...dLosses, ...gLosses, lr };
  }

  /** Runs one step's graph (after its discriminators' power iterations) and applies Adam. */
  private async update(s: Step, a: Float32Array, b: Float32Array): Promise<Record<string, number>> {
    const out = await s.program.run({ realA: a, realB: b, ...this.spectralFeeds(s.graph) });
    s.adam.step(s.graph.params.map((p) => out[`grad:${p.name}`]!.data));
    const losses: Record<string, number> = {};
    for (const [name, o] of Object.entries(out)) if (!name.startsWith('grad:')) losses[name] = o.data[0]!;
    return losses;
  }

  /** u, v of every discriminator call, each after one more power iteration on the stored buffers (training-mode spectral_norm). */
  private spectralFeeds(graph: StepGraph): Record<string, Float32Array> {
    const W = this.model.weights;
    const feeds: Record<string, Float32Array> = {};
    for (const [net, calls] of Object.entries(graph.calls)) {
      const layers = [...new Set(graph.spectral.filter((x) => x.net === net).map((x) => x.layer))];
      for (let call = 0; call < calls; call++) {
        for (const layer of layers) {
          const u = W.parameter(`${net}.${layer}.weight_u`).data;
          const v = W.parameter(`${net}.${layer}.weight_v`).data;
          powerIteration(W.parameter(`${net}.${layer}.weight_orig`).data, u, v);
          feeds[`sn:${net}.${layer}.u${call}`] = u.slice();
          feeds[`sn:${net}.${layer}.v${call}`] = v.slice();
        }
      }
    }
    return feeds;
  }

  /** RhoClipper(0, 1) on both generators. */
  private clipRho(): void {
    for (const p of this.g.graph.params) if (p.name.endsWith('.rho')) for (let i = 0; i < p.data.length; i++) p.data[i] = Math.min(Math.max(p.data[i]!, 0), 1);
  }

  /** The current networks as a checkpoint (sharing the live arrays: serialise before the next step). */
  checkpoint(training: Record<string, unknown> = {}): UgatitCheckpoint {
    return { arch: 'ugatit', format: 'stylelab', config: this.config, networks: networksOf(this.model.weights, this.config), training: { iteration: this.iteration, ...training } };
  }

  /** Adam's state of both updates, by parameter name (`G.m.<name>`, `G.v.<name>`, `D.m...`). */
  optimizerState(): OptimizerState {
    const tensors = new Map<string, TensorData>();
    for (const [key, s] of [['G', this.g], ['D', this.d]] as const) {
      const { m, v } = s.adam.state();
      s.graph.params.forEach((p, k) => {
        tensors.set(`${key}.m.${p.name}`, { dtype: 'float32', shape: [...p.shape], data: m[k]! });
        tensors.set(`${key}.v.${p.name}`, { dtype: 'float32', shape: [...p.shape], data: v[k]! });
      });
    }
    return { steps: { G: this.g.adam.state().t, D: this.d.adam.state().t }, tensors };
  }

  /** Restores Adam's state and the iteration count (resuming from a snapshot). */
  loadOptimizerState(state: OptimizerState, iteration: number): void {
    for (const [key, s] of [['G', this.g], ['D', this.d]] as const) {
      const get = (kind: string, p: E.Parameter) => {
        const t = state.tensors.get(`${key}.${kind}.${p.name}`);
        if (!t || t.data.length !== p.data.length || !(t.data instanceof Float32Array)) throw new InputError(`the snapshot's optimizer state lacks ${key}.${kind}.${p.name}`);
        return t.data;
      };
      s.adam.loadState(state.steps[key], s.graph.params.map((p) => get('m', p)), s.graph.params.map((p) => get('v', p)));
    }
    this.iteration = iteration;
  }

  /** Releases the step programs and the model's programs. */
  async dispose(): Promise<void> {
    await this.d.program.dispose();
    await this.g.program.dispose();
    await this.model.dispose();
  }
}

/** Every network's tensors from the weights, by official names. */
export function networksOf(weights: Weights, config: UgatitConfig): UgatitCheckpoint['networks'] {
  const networks: UgatitCheckpoint['networks'] = {};
  for (const net of [...GENERATOR_NETS, ...DISCRIMINATOR_NETS]) {
    const sd = new Map<string, TensorData>();
    for (const spec of netSpecs(config, net)) sd.set(spec.name, { dtype: 'float32', shape: [...spec.shape], data: weights.parameter(`${net}.${spec.name}`, spec.shape).data });
    networks[net] = sd;
  }
  return networks;
}

/** Rejects bad training options. */
export function validateTrainOptions(o: UgatitTrainOptions): void {
  if (!(Number.isInteger(o.iterations) && o.iterations >= 1)) throw new InputError(`iterations must be a positive integer, got ${o.iterations}`);
  if (!(Number.isInteger(o.batch) && o.batch >= 1)) throw new InputError(`batch must be a positive integer, got ${o.batch}`);
  if (!(o.lr > 0)) throw new InputError(`lr must be positive, got ${o.lr}`);
  if (!(o.weightDecay >= 0)) throw new InputError(`weight decay must be >= 0, got ${o.weightDecay}`);
  for (const [k, v] of Object.entries(o.lossWeights)) if (!(v >= 0)) throw new InputError(`loss weight ${k} must be >= 0, got ${v}`);
}
