// What the training loop needs from an architecture: fresh networks as train.py builds them, networks from a
// checkpoint, and a checkpoint from networks. The loop itself never names an architecture (registry.ts maps
// --cfg to one of stylegan1.ts, stylegan2.ts, stylegan3.ts).
import type { Checkpoint } from '../../models/checkpoint.js';
import type { ProgressiveSchedule } from '../../nets/stylegan1/schedule.js';
import type { TrainableDiscriminator, TrainableGenerator } from '../networks.js';
import type { TrainingCfg, TrainingOptions } from '../options.js';

/** The three networks of a run: the trained generator, its moving average and the discriminator. */
export interface TrainingNetworks {
  G: TrainableGenerator;
  G_ema: TrainableGenerator;
  D: TrainableDiscriminator;
}

/** What the data set fixes about the networks. */
export interface DataShape {
  resolution: number;
  channels: number;
  labelDim: number;
}

export interface TrainingArch {
  readonly cfg: TrainingCfg;
  /** New networks with the official initialisation (G_ema a copy of G). */
  create(o: TrainingOptions, data: DataShape): TrainingNetworks;
  /** Networks from a checkpoint holding G, G_ema and D. */
  fromCheckpoint(ckpt: Checkpoint): TrainingNetworks;
  /** A checkpoint (our format) of the networks' current tensors. */
  toCheckpoint(nets: TrainingNetworks): Checkpoint;
  /** Progressive growing (StyleGAN v1): the per-step schedule of these networks from `curNimg` on; absent when the architecture is fixed. */
  progressive?(nets: TrainingNetworks, o: TrainingOptions, curNimg: number): Progressive;
}

/** Progressive growing as the loop drives it (StyleGAN v1's ProgressiveGrowing). */
export interface Progressive {
  /** Moves to the schedule of `curNimg`: grows the networks; says whether the optimizers' state must be reset. */
  advance(curNimg: number): ProgressiveSchedule & { resetOptimizers: boolean };
  /** Layers in use at a lod (style mixing draws its cutoff below it). */
  curLayers(lod: number): number;
  /** A key that changes when the grown graphs change. */
  readonly graphKey: string;
  /** A batch of reals x [N, C, R, R] brought to the level of detail `lod` (process_reals). Returns a new array. */
  processReals(x: Float32Array, N: number, C: number, R: number, lod: number): Float32Array;
}

