// StyleGAN2 for training (--cfg stylegan2): the generator and discriminator of training/networks_stylegan2.py
// as the loop sees them, and train.py's settings for them.
import type * as E from '../../engine/index.js';
import { CheckpointError } from '../../errors.js';
import type { TensorData } from '../../io/tensor.js';
import type { NetworkEntry } from '../../models/checkpoint.js';
import { discriminatorConfigFromKwargs, generatorConfigFromKwargs, type DiscriminatorConfig, type GeneratorConfig } from '../../nets/stylegan2/config.js';
import { discriminator } from '../../nets/stylegan2/discriminator.js';
import { discriminatorSpecs, generatorSpecs, initialize } from '../../nets/stylegan2/init.js';
import { mappingNetwork } from '../../nets/stylegan2/mapping.js';
import { type NoiseMode, synthesisNetwork } from '../../nets/stylegan2/synthesis.js';
import { SpecGenerator, SpecNetwork, type TrainableDiscriminator, type TrainableGenerator, trainingCheckpoint } from '../networks.js';
import type { TrainingOptions } from '../options.js';
import type { DataShape, TrainingArch } from './arch.js';

/**
 * The StyleGAN2 generator for training (training/networks_stylegan2.py Generator).
 * @example const G = new StyleGAN2Trainable(cfg, initialize(generatorSpecs(cfg), 0));
 */
export class StyleGAN2TrainableGenerator extends SpecGenerator<GeneratorConfig> implements TrainableGenerator {
  constructor(config: GeneratorConfig, tensors: ReadonlyMap<string, TensorData>, what = 'G generator') {
    super(config, generatorSpecs(config), tensors, what);
  }
  get numWs(): number {
    return this.config.mapping.numWs!;
  }
  get wAvgName(): string | null {
    return this.config.mapping.wAvgBeta === null ? null : 'mapping.w_avg';
  }
  get wAvgBeta(): number {
    return this.config.mapping.wAvgBeta ?? 1;
  }
  mapping(z: E.Tensor, c: E.Tensor | null): E.Tensor {
    return mappingNetwork(this.config.mapping, this.weights.scope('mapping'), z, c);
  }
  synthesis(ws: E.Tensor, noiseMode: NoiseMode): E.Tensor {
    return synthesisNetwork(this.config.synthesis, this.weights.scope('synthesis'), ws, { noiseMode });
  }
}

/**
 * The StyleGAN2 discriminator for training (training/networks_stylegan2.py Discriminator).
 * @example const D = new StyleGAN2TrainableDiscriminator(cfg, initialize(discriminatorSpecs(cfg), 1));
 */
export class StyleGAN2TrainableDiscriminator extends SpecNetwork implements TrainableDiscriminator {
  constructor(
    readonly config: DiscriminatorConfig,
    tensors: ReadonlyMap<string, TensorData>,
    what = 'D discriminator',
  ) {
    // D's parameters are named 'D.<name>' in graphs: G and D both have 'mapping.*' tensors when conditional.
    super(discriminatorSpecs(config), tensors, what, 'D.');
  }
  get cDim(): number {
    return this.config.cDim;
  }
  forward(img: E.Tensor, c: E.Tensor | null): E.Tensor {
    return discriminator(this.config, this.weights.scope(''), img, c);
  }
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
