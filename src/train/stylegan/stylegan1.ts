// StyleGAN (v1) for the training loop: networks grown to the resolution of the current level of detail, with
// the official full-resolution interface (NVlabs/stylegan training/training_loop.py + networks_stylegan.py):
// the generator's image is upscaled to the data set's resolution (as UpscaleLOD does), the discriminator
// averages its input back down, and reals are processed as process_reals does (FadeLOD, UpscaleLOD). Only the
// convolutions of the grown levels run, so early phases are cheap, and R1 is taken w.r.t. full-resolution
// images as in the official code. The level of detail is the generator's 'synthesis.lod' buffer (a Parameter,
// so it is fed from its current value at every run, and saved with snapshots); D reads G's.
import * as E from '../../engine/index.js';
import { CheckpointError } from '../../errors.js';
import type { TensorData } from '../../io/tensor.js';
import type { Checkpoint, NetworkEntry } from '../../models/checkpoint.js';
import { numLayersOf, stylegan1DiscriminatorConfig, stylegan1GeneratorConfig, type StyleGAN1DiscriminatorConfig, type StyleGAN1GeneratorConfig } from '../../nets/stylegan1/config.js';
import { discriminator1 } from '../../nets/stylegan1/discriminator.js';
import { stylegan1DiscriminatorSpecs, stylegan1GeneratorSpecs } from '../../nets/stylegan1/init.js';
import { downscale2d, upscale2d } from '../../nets/stylegan1/layers.js';
import { mappingNetwork1 } from '../../nets/stylegan1/mapping.js';
import { lodChanged, type ProgressiveSchedule, progressiveSchedule, type ProgressiveScheduleOptions } from '../../nets/stylegan1/schedule.js';
import { synthesisNetwork1 } from '../../nets/stylegan1/synthesis.js';
import { initialize } from '../../nets/stylegan2/init.js';
import type { NoiseMode } from '../../nets/stylegan2/synthesis.js';
import type { Progressive, TrainingArch } from './arch.js';
import { SpecGenerator, SpecNetwork, type TrainableDiscriminator, type TrainableGenerator, trainingCheckpoint } from '../networks.js';
import type { TrainingOptions } from '../options.js';

/**
 * The growth state G and D share: the resolution the networks are grown to (set from the schedule) and the
 * level-of-detail tensor D reads (G's 'synthesis.lod' buffer, so that a graph with both has one such input).
 */
export class Growth {
  lod: E.Tensor | null = null;
  constructor(
    readonly imgResolution: number,
    public resolution: number,
  ) {}
  /** How many times the grown networks' images are smaller than the data set's: 2^floor(lod). */
  get factor(): number {
    return this.imgResolution / this.resolution;
  }
}

/**
 * G_style for training: mapping without truncation, synthesis grown to `growth.resolution` and upscaled to the
 * full resolution.
 * @example const G = new StyleGAN1TrainableGenerator(cfg, initialize(stylegan1GeneratorSpecs(cfg), 0), new Growth(64, 8));
 */
export class StyleGAN1TrainableGenerator extends SpecGenerator<StyleGAN1GeneratorConfig> implements TrainableGenerator {
  constructor(
    config: StyleGAN1GeneratorConfig,
    tensors: ReadonlyMap<string, TensorData>,
    readonly growth: Growth,
    what = 'G generator',
  ) {
    super(config, stylegan1GeneratorSpecs(config), tensors, what);
  }
  get numWs(): number {
    return numLayersOf(this.config.imgResolution);
  }
  get wAvgName(): string | null {
    return this.config.dlatentAvgBeta === null ? null : 'dlatent_avg';
  }
  get wAvgBeta(): number {
    return this.config.dlatentAvgBeta ?? 1;
  }
  mapping(z: E.Tensor, c: E.Tensor | null): E.Tensor {
    return mappingNetwork1(this.config, this.weights.scope('mapping'), z, c);
  }
  /** Changes when the grown graph changes (compiled programs are per level). */
  get graphKey(): string {
    return `res${this.growth.resolution}`;
  }
  synthesis(ws: E.Tensor, noiseMode: NoiseMode): E.Tensor {
    const g = this.growth;
    const lod = this.weights.tensor('synthesis.lod', []);
    const img = synthesisNetwork1(this.config, this.weights.scope('synthesis'), ws, { noiseMode, resolution: g.resolution, lod }); // [N, C, r, r]
    return upscale2d(img, g.factor); // [N, C, R, R]
  }
}

/**
 * D_basic for training: full-resolution images averaged down to `growth.resolution`, then the grown network.
 * @example const D = new StyleGAN1TrainableDiscriminator(cfg, initialize(stylegan1DiscriminatorSpecs(cfg), 1), growth);
 */
export class StyleGAN1TrainableDiscriminator extends SpecNetwork implements TrainableDiscriminator {
  constructor(
    readonly config: StyleGAN1DiscriminatorConfig,
    tensors: ReadonlyMap<string, TensorData>,
    readonly growth: Growth,
    what = 'D discriminator',
  ) {
    super(stylegan1DiscriminatorSpecs(config), tensors, what);
  }
  get cDim(): number {
    return this.config.cDim;
  }
  forward(img: E.Tensor, c: E.Tensor | null): E.Tensor {
    const g = this.growth;
    if (!g.lod) throw new Error('StyleGAN1TrainableDiscriminator: the growth state has no level-of-detail tensor (create the networks together)');
    return discriminator1(this.config, this.weights.scope(''), downscale2d(img, g.factor), c, { lod: g.lod });
  }
}

/** np.rint: round half to even. */
function rint(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * process_reals of the official loop on a batch x [N, C, R, R] in [-1, 1]: the data set's level for the lod
 * (2x2 means rounded to uint8 at each halving, as dataset_tool.py stores the lower levels), FadeLOD (a lerp
 * towards its own 2x2 means by the fractional lod) and UpscaleLOD (nearest neighbour back to R). Returns a new array.
 * @example const reals = processReals(img, 8, 3, 64, 2.25);
 */
export function processReals(x: Float32Array, N: number, C: number, R: number, lod: number): Float32Array {
  const k = Math.floor(lod);
  const frac = lod - k;
  const out = new Float32Array(x.length);
  for (let p = 0; p < N * C; p++) {
    // The level: halve k times on the uint8 scale.
    let r = R;
    let level = Float64Array.from(x.subarray(p * R * R, (p + 1) * R * R), (v) => (v + 1) * 127.5);
    for (let i = 0; i < k; i++) {
      const h = r / 2;
      const next = new Float64Array(h * h);
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < h; xx++) {
          const at = (dy: number, dx: number) => level[(2 * y + dy) * r + 2 * xx + dx]!;
          next[y * h + xx] = Math.min(255, Math.max(0, rint((at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) * 0.25)));
        }
      }
      level = next;
      r = h;
    }
    let img = Float32Array.from(level, (v) => v / 127.5 - 1); // [r, r]
    // FadeLOD: lerp with its 2x2 block means.
    if (frac > 0 && r >= 2) {
      const faded = img.slice();
      for (let y = 0; y < r; y += 2) {
        for (let xx = 0; xx < r; xx += 2) {
          const q = [y * r + xx, y * r + xx + 1, (y + 1) * r + xx, (y + 1) * r + xx + 1];
          const m = q.reduce((a, j) => a + img[j]!, 0) / 4;
          for (const j of q) faded[j] = img[j]! + (m - img[j]!) * frac;
        }
      }
      img = faded;
    }
    // UpscaleLOD.
    const f = R / r;
    const dst = out.subarray(p * R * R, (p + 1) * R * R);
    for (let y = 0; y < R; y++) for (let xx = 0; xx < R; xx++) dst[y * R + xx] = img[Math.floor(y / f) * r + Math.floor(xx / f)]!;
  }
  return out;
}

/**
 * The progressive part of a run: the schedule, growing the networks, the Adam reset of reset_opt_for_new_lod,
 * the mixing range and the processing of reals.
 * @example const p = new ProgressiveGrowing(nets.growth, [nets.G, nets.G_ema]); const s = p.advance(curNimg); if (s.resetOptimizers) ...
 */
export class ProgressiveGrowing implements Progressive {
  private prevLod: number;
  constructor(
    readonly growth: Growth,
    /** Generators whose 'synthesis.lod' buffer records the level (so that a snapshot renders at it). */
    readonly generators: readonly StyleGAN1TrainableGenerator[],
    readonly options: Partial<ProgressiveScheduleOptions> = {},
    /** The lod of the step before the first (null: a fresh run, -1 as the official, so the first step resets). */
    prevLod: number | null = null,
  ) {
    this.prevLod = prevLod ?? -1;
  }

  /** The schedule at an image count. */
  schedule(curNimg: number): ProgressiveSchedule {
    return progressiveSchedule(curNimg, this.growth.imgResolution, this.options);
  }

  /** Moves to the schedule of `curNimg`: grows the networks; says whether the optimizers' state must be reset. */
  advance(curNimg: number): ProgressiveSchedule & { resetOptimizers: boolean } {
    const s = this.schedule(curNimg);
    const resetOptimizers = lodChanged(this.prevLod, s.lod);
    this.prevLod = s.lod;
    this.growth.resolution = s.resolution;
    for (const G of this.generators) G.weights.parameter('synthesis.lod', []).data[0] = s.lod;
    return { ...s, resetOptimizers };
  }

  /** Layers in use at a lod (G_style's cur_layers): the mixing cutoff is drawn below it. */
  curLayers(lod: number): number {
    return numLayersOf(this.growth.imgResolution) - 2 * Math.floor(lod);
  }

  /** A key that changes when the grown graphs change. */
  get graphKey(): string {
    return `res${this.growth.resolution}`;
  }

  /** process_reals at a level of detail (see processReals). */
  processReals(x: Float32Array, N: number, C: number, R: number, lod: number): Float32Array {
    return processReals(x, N, C, R, lod);
  }
}

/** What the data set and the options fix about StyleGAN (v1) networks. */
export interface StyleGAN1Shape {
  resolution: number;
  channels: number;
  labelDim: number;
  zDim: number;
  wDim: number;
  /** channel_base as the other configurations count it (channels = cbase / res): fmap_base = cbase / 2. */
  cbase: number;
  cmax: number;
  mapDepth: number;
  mbstdGroup: number;
  styleMixingProb: number;
}

/**
 * Fresh networks initialised as the official constructors do (G_ema a copy of G), grown to the schedule's start.
 * @example const nets = createStyleGAN1Networks({ resolution: 32, channels: 3, labelDim: 0, ... }, 0);
 */
export function createStyleGAN1Networks(s: StyleGAN1Shape, seed: number, schedule: Partial<ProgressiveScheduleOptions> = {}) {
  const gCfg = stylegan1GeneratorConfig({ imgResolution: s.resolution, imgChannels: s.channels, cDim: s.labelDim, zDim: s.zDim, wDim: s.wDim, fmapBase: Math.max(1, Math.floor(s.cbase / 2)), fmapMax: s.cmax, mappingLayers: s.mapDepth });
  gCfg.styleMixingProb = s.styleMixingProb;
  const dCfg = stylegan1DiscriminatorConfig({ imgResolution: s.resolution, imgChannels: s.channels, cDim: s.labelDim, fmapBase: Math.max(1, Math.floor(s.cbase / 2)), fmapMax: s.cmax, mbstdGroupSize: s.mbstdGroup });
  const growth = new Growth(s.resolution, progressiveSchedule(0, s.resolution, schedule).resolution);
  const gTensors = initialize(stylegan1GeneratorSpecs(gCfg), seed);
  const G = new StyleGAN1TrainableGenerator(gCfg, gTensors, growth);
  growth.lod = G.weights.tensor('synthesis.lod', []);
  return {
    growth,
    G,
    G_ema: new StyleGAN1TrainableGenerator(gCfg, gTensors, growth, 'G_ema generator'), // SpecNetwork copies: no aliasing
    D: new StyleGAN1TrainableDiscriminator(dCfg, initialize(stylegan1DiscriminatorSpecs(dCfg), seed + 1), growth),
  };
}

const entryOf = (e: NetworkEntry | undefined, role: string, kind: 'generator' | 'discriminator'): NetworkEntry => {
  if (!e || e.kind !== kind) throw new CheckpointError(`resuming needs the ${role} network, which the checkpoint lacks`);
  if (e.arch !== 'stylegan1') throw new CheckpointError(`the checkpoint holds a ${e.arch} ${kind}, not a StyleGAN (v1) one (use the matching --cfg)`);
  return e;
};

/**
 * Networks of a checkpoint holding G, G_ema and D (arch 'stylegan1'), grown to the schedule at `curNimg`.
 * @example const nets = styleGAN1NetworksFromCheckpoint(loadCheckpoint('runs/00000/network-snapshot-000010'), 10000);
 */
export function styleGAN1NetworksFromCheckpoint(ckpt: Checkpoint, curNimg = 0, schedule: Partial<ProgressiveScheduleOptions> = {}) {
  const g = entryOf(ckpt.networks.G, 'G', 'generator');
  const ge = entryOf(ckpt.networks.G_ema, 'G_ema', 'generator');
  const d = entryOf(ckpt.networks.D, 'D', 'discriminator');
  const gCfg = g.config as StyleGAN1GeneratorConfig;
  const growth = new Growth(gCfg.imgResolution, progressiveSchedule(curNimg, gCfg.imgResolution, schedule).resolution);
  const G = new StyleGAN1TrainableGenerator(gCfg, g.tensors, growth);
  growth.lod = G.weights.tensor('synthesis.lod', []);
  return {
    growth,
    G,
    G_ema: new StyleGAN1TrainableGenerator(ge.config as StyleGAN1GeneratorConfig, ge.tensors, growth, 'G_ema generator'),
    D: new StyleGAN1TrainableDiscriminator(d.config as StyleGAN1DiscriminatorConfig, d.tensors, growth),
  };
}

/**
 * A checkpoint (our format, arch 'stylegan1') of the networks' current tensors.
 * @example saveStylelabModel(styleGAN1Checkpoint(nets), 'runs/00000/network-snapshot-000010');
 */
export function styleGAN1Checkpoint(nets: { G: StyleGAN1TrainableGenerator; G_ema: StyleGAN1TrainableGenerator; D: StyleGAN1TrainableDiscriminator }): Checkpoint {
  return trainingCheckpoint('stylegan1', 'stylegan1', nets);
}

/** The schedule of a run: its phases (official: 600 + 600 kimg from 8x8) with its learning rates as the base rates. */
function scheduleOptions(o: TrainingOptions): Partial<ProgressiveScheduleOptions> {
  return { GLrateBase: o.glr, DLrateBase: o.dlr, lodInitialResolution: o.lodInitialResolution, lodTrainingKimg: o.lodTrainingKimg, lodTransitionKimg: o.lodTransitionKimg };
}

/**
 * `--cfg stylegan1` for the training loop: G_style and D_basic as train.py builds them (fmap_base = cbase / 2,
 * so that --cbase counts channels as the other configurations do), grown progressively from 8x8.
 * @example const t = new Trainer({ engine, arch: STYLEGAN1_ARCH, data, options, networks: STYLEGAN1_ARCH.create(options, data) });
 */
export const STYLEGAN1_ARCH: TrainingArch = {
  cfg: 'stylegan1',
  create(o, d) {
    const shape = { resolution: d.resolution, channels: d.channels, labelDim: d.labelDim, zDim: o.zDim, wDim: o.wDim, cbase: o.cbase, cmax: o.cmax, mapDepth: o.mapDepth, mbstdGroup: o.mbstdGroup, styleMixingProb: o.styleMixingProb };
    return createStyleGAN1Networks(shape, o.seed, scheduleOptions(o));
  },
  fromCheckpoint(ckpt) {
    return styleGAN1NetworksFromCheckpoint(ckpt);
  },
  toCheckpoint(nets) {
    return styleGAN1Checkpoint(nets as { G: StyleGAN1TrainableGenerator; G_ema: StyleGAN1TrainableGenerator; D: StyleGAN1TrainableDiscriminator });
  },
  progressive(nets, o, curNimg) {
    const G = nets.G as StyleGAN1TrainableGenerator;
    const s = scheduleOptions(o);
    // Resuming continues as the run would have: the previous step's lod decides whether Adam is reset.
    const prevLod = curNimg > 0 ? progressiveSchedule(Math.max(curNimg - o.batch, 0), G.imgResolution, s).lod : null;
    G.growth.resolution = progressiveSchedule(curNimg, G.imgResolution, s).resolution;
    return new ProgressiveGrowing(G.growth, [G, nets.G_ema as StyleGAN1TrainableGenerator], s, prevLod);
  },
};
