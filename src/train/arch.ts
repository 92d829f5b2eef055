// What the training loop needs from an architecture: fresh networks as train.py builds them, networks from a
// checkpoint, and a checkpoint from networks. The loop itself never names an architecture.
import { CheckpointError, InputError } from '../errors.js';
import type { Checkpoint, NetworkEntry } from '../models/checkpoint.js';
import { discriminatorConfigFromKwargs, generatorConfigFromKwargs, type DiscriminatorConfig, type GeneratorConfig } from '../nets/stylegan2/config.js';
import { discriminatorSpecs, generatorSpecs, initialize } from '../nets/stylegan2/init.js';
import { StyleGAN2TrainableDiscriminator, StyleGAN2TrainableGenerator, type TrainableDiscriminator, type TrainableGenerator, trainingCheckpoint } from './networks.js';
import type { TrainingCfg, TrainingOptions } from './options.js';
import { stylegan3Arch } from './stylegan3.js';
import { type ProgressiveGrowing, STYLEGAN1_ARCH } from './stylegan1.js';

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
  progressive?(nets: TrainingNetworks, o: TrainingOptions, curNimg: number): ProgressiveGrowing;
}

/** train.py's G_kwargs / D_kwargs for StyleGAN2 (conv_clamp 256 and num_fp16_res 4 as its mixed-precision default). */
function stylegan2Kwargs(o: TrainingOptions, d: DataShape): { G: Record<string, unknown>; D: Record<string, unknown> } {
  const common = { c_dim: d.labelDim, img_resolution: d.resolution, img_channels: d.channels, channel_base: o.cbase, channel_max: o.cmax, num_fp16_res: 4, conv_clamp: 256 };
  return {
    G: { ...common, z_dim: o.zDim, w_dim: o.wDim, mapping_kwargs: { num_layers: o.mapDepth } },
    D: { ...common, epilogue_kwargs: { mbstd_group_size: o.mbstdGroup } },
  };
}

const entry = (e: NetworkEntry | undefined, role: string, kind: 'generator' | 'discriminator'): NetworkEntry => {
  if (!e || e.kind !== kind) throw new CheckpointError(`resuming needs the ${role} network, which the checkpoint lacks`);
  return e;
};

export const STYLEGAN2_ARCH: TrainingArch = {
  cfg: 'stylegan2',
  create(o, d) {
    const kw = stylegan2Kwargs(o, d);
    const gCfg = generatorConfigFromKwargs(kw.G);
    const dCfg = discriminatorConfigFromKwargs(kw.D);
    const gTensors = initialize(generatorSpecs(gCfg), o.seed);
    return {
      G: new StyleGAN2TrainableGenerator(gCfg, gTensors),
      G_ema: new StyleGAN2TrainableGenerator(gCfg, gTensors, 'G_ema generator'),
      D: new StyleGAN2TrainableDiscriminator(dCfg, initialize(discriminatorSpecs(dCfg), o.seed + 1)),
    };
  },
  fromCheckpoint(ckpt) {
    const g = entry(ckpt.networks.G, 'G', 'generator');
    const ge = entry(ckpt.networks.G_ema, 'G_ema', 'generator');
    const dd = entry(ckpt.networks.D, 'D', 'discriminator');
    if (g.arch !== 'stylegan2') throw new CheckpointError(`the checkpoint holds a ${g.arch} generator, not a StyleGAN2 one (use the matching --cfg)`);
    return {
      G: new StyleGAN2TrainableGenerator(g.config as GeneratorConfig, g.tensors),
      G_ema: new StyleGAN2TrainableGenerator(ge.config as GeneratorConfig, ge.tensors, 'G_ema generator'),
      D: new StyleGAN2TrainableDiscriminator(dd.config as DiscriminatorConfig, dd.tensors),
    };
  },
  toCheckpoint(nets) {
    return trainingCheckpoint('stylegan2', 'stylegan2', nets as { G: StyleGAN2TrainableGenerator; G_ema: StyleGAN2TrainableGenerator; D: StyleGAN2TrainableDiscriminator });
  },
};

/**
 * The architecture of a --cfg (others register theirs here as they land).
 * @example const arch = trainingArch('stylegan2');
 */
export function trainingArch(cfg: TrainingCfg): TrainingArch {
  const arch = ARCHS[cfg];
  if (!arch) throw new InputError(`--cfg ${cfg} is not available in this build of stylelab (available: ${Object.keys(ARCHS).join(', ')})`);
  return arch;
}

const ARCHS: Partial<Record<TrainingCfg, TrainingArch>> = { stylegan2: STYLEGAN2_ARCH, 'stylegan3-t': stylegan3Arch('stylegan3-t'), 'stylegan3-r': stylegan3Arch('stylegan3-r'), stylegan1: STYLEGAN1_ARCH };
