// StyleGAN3 (configs T and R) for training: the generator of src/nets/stylegan3 with the magnitude EMAs that
// G.synthesis(update_emas=True) updates in the D phase (training/networks_stylegan3.py SynthesisLayer.forward),
// the StyleGAN2 discriminator, and train.py's settings (R: 1x1 convs, doubled G channels, radial filters).
import * as E from '../../engine/index.js';
import { CheckpointError } from '../../errors.js';
import type { TensorData } from '../../io/tensor.js';
import type { Checkpoint, NetworkEntry } from '../../models/checkpoint.js';
import { discriminatorConfigFromKwargs, type DiscriminatorConfig } from '../../nets/stylegan2/config.js';
import { discriminatorSpecs, initialize } from '../../nets/stylegan2/init.js';
import { mappingNetwork } from '../../nets/stylegan2/mapping.js';
import { type GeneratorConfig3, generatorConfig3FromKwargs, type LayerPlan, synthesisPlan } from '../../nets/stylegan3/config.js';
import { generator3Specs, initialize3 } from '../../nets/stylegan3/init.js';
import { synthesisInput } from '../../nets/stylegan3/input.js';
import { synthesisLayer as synthesisLayer3 } from '../../nets/stylegan3/synthesis.js';
import type { WeightScope } from '../../nets/weights.js';
import type { DataShape, TrainingArch, TrainingNetworks } from './arch.js';
import { SpecGenerator, type TrainableGenerator, trainingCheckpoint } from '../networks.js';
import { StyleGAN2TrainableDiscriminator } from './stylegan2.js';
import type { TrainingCfg, TrainingOptions } from '../options.js';

/** SynthesisLayer.forward in training: the input magnitude EMA is updated first when asked (update_emas). */
function trainingSynthesisLayer(P: WeightScope, l: LayerPlan, x: E.Tensor, w: E.Tensor, cfg: GeneratorConfig3['synthesis'], emaUpdates?: Map<string, E.Tensor>): E.Tensor {
  let ema = P.tensor('magnitude_ema', []);
  if (emaUpdates) {
    // magnitude_cur.lerp(magnitude_ema, beta), from the detached input.
    const cur = E.mean(E.square(E.detach(x)));
    ema = E.add(cur, E.mul(E.sub(ema, cur), cfg.magnitudeEmaBeta));
    emaUpdates.set(`${P.prefix}.magnitude_ema`, ema);
  }
  return synthesisLayer3(P, l, x, w, cfg.convClamp, false, 'never', ema);
}

/**
 * The StyleGAN3 generator for training (training/networks_stylegan3.py Generator).
 * @example const G = new StyleGAN3TrainableGenerator(cfg, initialize3(generator3Specs(cfg), 0));
 */
export class StyleGAN3TrainableGenerator extends SpecGenerator<GeneratorConfig3> implements TrainableGenerator {
  constructor(config: GeneratorConfig3, tensors: ReadonlyMap<string, TensorData>, what = 'G generator') {
    super(config, generator3Specs(config), tensors, what);
  }
  get numWs(): number {
    return this.config.mapping.numWs!;
  }
  get wAvgName(): string | null {
    return 'mapping.w_avg';
  }
  get wAvgBeta(): number {
    return this.config.mapping.wAvgBeta ?? 1;
  }
  mapping(z: E.Tensor, c: E.Tensor | null): E.Tensor {
    return mappingNetwork(this.config.mapping, this.weights.scope('mapping'), z, c);
  }
  /** SynthesisNetwork.forward (StyleGAN3 has no noise inputs). */
  synthesis(ws: E.Tensor, _noiseMode: unknown, emaUpdates?: Map<string, E.Tensor>): E.Tensor {
    const cfg = this.config.synthesis;
    const P = this.weights.scope('synthesis');
    const plan = synthesisPlan(cfg);
    const wsList = E.split(ws, 1, new Array<number>(cfg.numLayers + 2).fill(1)).map((t) => E.squeeze(t, [1])); // numWs x [N, wDim]
    let x = synthesisInput(P.scope('input'), plan.input, wsList[0]!, P.tensor('input.transform', [3, 3]));
    for (const l of plan.layers) x = trainingSynthesisLayer(P.scope(l.name), l, x, wsList[l.idx + 1]!, cfg, emaUpdates);
    return cfg.outputScale !== 1 ? E.mul(x, cfg.outputScale) : x;
  }
}

/** train.py's kwargs for StyleGAN3 config T or R (the discriminator is StyleGAN2's). */
function stylegan3Kwargs(cfg: TrainingCfg, o: TrainingOptions, d: DataShape): { G: Record<string, unknown>; D: Record<string, unknown> } {
  const r = cfg === 'stylegan3-r';
  const common = { c_dim: d.labelDim, img_resolution: d.resolution, img_channels: d.channels, num_fp16_res: 4, conv_clamp: 256 };
  return {
    G: {
      ...common,
      z_dim: o.zDim,
      w_dim: o.wDim,
      channel_base: r ? o.cbase * 2 : o.cbase,
      channel_max: r ? o.cmax * 2 : o.cmax,
      mapping_kwargs: { num_layers: o.mapDepth },
      magnitude_ema_beta: 0.5 ** (o.batch / (20 * 1e3)),
      ...(r ? { conv_kernel: 1, use_radial_filters: true } : {}),
    },
    D: { ...common, channel_base: o.cbase, channel_max: o.cmax, epilogue_kwargs: { mbstd_group_size: o.mbstdGroup } },
  };
}

function generatorOf(e: NetworkEntry | undefined, role: string): Extract<NetworkEntry, { kind: 'generator' }> & { config: GeneratorConfig3 } {
  if (!e || e.kind !== 'generator') throw new CheckpointError(`resuming needs the ${role} network, which the checkpoint lacks`);
  if (e.arch !== 'stylegan3') throw new CheckpointError(`the checkpoint holds a ${e.arch} generator, not a StyleGAN3 one (use the matching --cfg)`);
  return e as Extract<NetworkEntry, { kind: 'generator' }> & { config: GeneratorConfig3 };
}

/**
 * The training architecture of --cfg stylegan3-t or stylegan3-r.
 * @example const nets = stylegan3Arch('stylegan3-r').create(options, { resolution: 256, channels: 3, labelDim: 0 });
 */
export function stylegan3Arch(cfg: 'stylegan3-t' | 'stylegan3-r'): TrainingArch {
  return {
    cfg,
    create(o, d): TrainingNetworks {
      const kw = stylegan3Kwargs(cfg, o, d);
      const gCfg = generatorConfig3FromKwargs(kw.G);
      const dCfg = discriminatorConfigFromKwargs(kw.D);
      const gTensors = initialize3(generator3Specs(gCfg), o.seed);
      return {
        G: new StyleGAN3TrainableGenerator(gCfg, gTensors),
        G_ema: new StyleGAN3TrainableGenerator(gCfg, gTensors, 'G_ema generator'),
        D: new StyleGAN2TrainableDiscriminator(dCfg, initialize(discriminatorSpecs(dCfg), o.seed + 1)),
      };
    },
    fromCheckpoint(ckpt): TrainingNetworks {
      const g = generatorOf(ckpt.networks.G, 'G');
      const ge = generatorOf(ckpt.networks.G_ema, 'G_ema');
      const dd = ckpt.networks.D;
      if (!dd || dd.kind !== 'discriminator') throw new CheckpointError('resuming needs the D network, which the checkpoint lacks');
      return {
        G: new StyleGAN3TrainableGenerator(g.config, g.tensors),
        G_ema: new StyleGAN3TrainableGenerator(ge.config, ge.tensors, 'G_ema generator'),
        D: new StyleGAN2TrainableDiscriminator(dd.config as DiscriminatorConfig, dd.tensors),
      };
    },
    toCheckpoint(nets): Checkpoint {
      return trainingCheckpoint('stylegan3', 'stylegan2', nets as { G: StyleGAN3TrainableGenerator; G_ema: StyleGAN3TrainableGenerator; D: StyleGAN2TrainableDiscriminator });
    },
  };
}
