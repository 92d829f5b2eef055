// The network configurations the benchmarks time (random weights): StyleGAN2 generators as the official
// training config makes them (skip architecture, conv_clamp 256, 8 mapping layers) and StyleGAN3 configs T and R.
import { generatorConfig3FromKwargs, validateGeneratorConfig, type GeneratorConfig, type GeneratorConfig3 } from '../src/node.js';

/** A StyleGAN2 generator of `res` x `res` with channel_base `channelBase`, channel_max 512. */
export function stylegan2Config(res: number, channelBase: number): GeneratorConfig {
  const synthesis = { wDim: 512, imgResolution: res, imgChannels: 3, channelBase, channelMax: 512, numFp16Res: 4, architecture: 'skip' as const, resampleFilter: [1, 3, 3, 1], convClamp: 256, useNoise: true, activation: 'lrelu' as const };
  let numWs = 0;
  for (let r = 4; r <= res; r *= 2) numWs += r === 4 ? 1 : 2;
  const mapping = { zDim: 512, cDim: 0, wDim: 512, numWs: numWs + 1, numLayers: 8, embedFeatures: null, layerFeatures: null, activation: 'lrelu' as const, lrMultiplier: 0.01, wAvgBeta: 0.998 };
  return validateGeneratorConfig({ zDim: 512, cDim: 0, wDim: 512, imgResolution: res, imgChannels: 3, mapping, synthesis });
}

/** StyleGAN3 by name ('T256', 'R1024', ...): T with channel_base 32768 / max 512, R with 65536 / 1024, 1x1 convs and radial filters. */
export function stylegan3Config(name: string): GeneratorConfig3 {
  const r = name[0] === 'R';
  return generatorConfig3FromKwargs({
    z_dim: 512, c_dim: 0, w_dim: 512, img_resolution: Number(name.slice(1)), img_channels: 3,
    channel_base: r ? 65536 : 32768, channel_max: r ? 1024 : 512, ...(r ? { conv_kernel: 1, use_radial_filters: true } : {}),
  });
}
