// U-GAT-IT architecture (Kim et al. 2020, znxlwm/UGATIT-pytorch networks.py): configuration, the official
// state_dict names and shapes of all six networks, and the configuration read back from those shapes.
import { CheckpointError, InputError } from '../../errors.js';

/** The six networks of a U-GAT-IT snapshot, as UGATIT.py's save() names them. */
export type UgatitNet = 'genA2B' | 'genB2A' | 'disGA' | 'disGB' | 'disLA' | 'disLB';
export const UGATIT_NETS: readonly UgatitNet[] = ['genA2B', 'genB2A', 'disGA', 'disGB', 'disLA', 'disLB'];
export const GENERATOR_NETS: readonly UgatitNet[] = ['genA2B', 'genB2A'];
export const DISCRIMINATOR_NETS: readonly UgatitNet[] = ['disGA', 'disGB', 'disLA', 'disLB'];

/** Translation direction: A2B runs genA2B, B2A runs genB2A. */
export type Direction = 'A2B' | 'B2A';

export interface UgatitConfig {
  /** Base channel count (UGATIT.py --ch; ngf of the generator, ndf of the discriminators). */
  ch: number;
  /** Residual blocks in the bottleneck (--n_res). */
  nRes: number;
  /** Light mode: the gamma/beta MLP reads globally pooled features (--light). */
  light: boolean;
  /** Image size (--img_size); fixed by the weights in full mode. */
  imgSize: number;
  /** Layers of the global discriminators (disG*): 7 in UGATIT.py. */
  globalLayers: number;
  /** Layers of the local discriminators (disL*): 5 in UGATIT.py. */
  localLayers: number;
}

/** UGATIT.py's defaults (ch 64, 4 residual blocks, 256x256, full mode). */
export const DEFAULT_UGATIT_CONFIG: UgatitConfig = { ch: 64, nRes: 4, light: false, imgSize: 256, globalLayers: 7, localLayers: 5 };

/** Two stride-2 convolutions down, two nearest up-samplings up (n_downsampling in networks.py). */
export const N_DOWNSAMPLING = 2;

/**
 * Fills defaults and rejects bad values.
 * @example validateUgatitConfig({ ch: 32, light: true }) // nRes 4, imgSize 256, ...
 */
export function validateUgatitConfig(c: Partial<UgatitConfig>): UgatitConfig {
  const out = { ...DEFAULT_UGATIT_CONFIG, ...c };
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  if (!posInt(out.ch)) throw new InputError(`U-GAT-IT: ch must be a positive integer, got ${out.ch}`);
  if (!(Number.isInteger(out.nRes) && out.nRes >= 0)) throw new InputError(`U-GAT-IT: nRes must be a non-negative integer, got ${out.nRes}`);
  if (typeof out.light !== 'boolean') throw new InputError(`U-GAT-IT: light must be true or false, got ${String(out.light)}`);
  // Two stride-2 convs and the 4x4 discriminator head need sizes that are multiples of 4 and not tiny.
  if (!posInt(out.imgSize) || out.imgSize % 4 !== 0 || out.imgSize < 32) throw new InputError(`U-GAT-IT: imgSize must be a multiple of 4 and at least 32, got ${out.imgSize}`);
  for (const [k, n] of [['globalLayers', out.globalLayers], ['localLayers', out.localLayers]] as const) {
    if (!(Number.isInteger(n) && n >= 3)) throw new InputError(`U-GAT-IT: ${k} must be an integer >= 3, got ${n}`);
    if (discriminatorOutputSize(out.imgSize, n) < 1) throw new InputError(`U-GAT-IT: a ${n}-layer discriminator (${k}) needs images larger than ${out.imgSize}x${out.imgSize}`);
  }
  return out;
}

/** Side of a Discriminator's output map: reflection pad 1 before every 4x4 conv (n_layers - 2 of stride 2, then two of stride 1). */
export function discriminatorOutputSize(imgSize: number, nLayers: number): number {
  let s = imgSize;
  for (let i = 0; i < nLayers - 2; i++) s = Math.floor((s + 2 - 4) / 2) + 1;
  return s - 2;
}

/** One tensor of a state_dict: official name, shape, and whether it is a buffer (spectral-norm u, v). */
export interface UgatitParamSpec {
  name: string;
  shape: number[];
  buffer?: boolean;
  /** How training initialises it (PyTorch's defaults; rho as the official constructors set it). */
  init: 'kaiming' | 'bias' | 'rho0' | 'rho0.9' | 'one' | 'zero' | 'normal';
  /** fan_in used by the kaiming_uniform / bias initialisers. */
  fanIn?: number;
}

/** Index of the k-th conv in an nn.Sequential of [pad, conv, norm, relu] groups (DownBlock, UpBlock2). */
const DOWN_CONVS = [1, 5, 9];

/** Generator tensors (ResnetGenerator(3, 3, ngf=ch, n_blocks=nRes, img_size, light)). */
export function generatorSpecs(c: UgatitConfig): UgatitParamSpec[] {
  const ngf = c.ch;
  const mult = 2 ** N_DOWNSAMPLING;
  const dim = ngf * mult;
  const conv = (name: string, o: number, i: number, k: number): UgatitParamSpec => ({ name, shape: [o, i, k, k], init: 'kaiming', fanIn: i * k * k });
  const fc = (name: string, o: number, i: number): UgatitParamSpec => ({ name, shape: [o, i], init: 'kaiming', fanIn: i });
  const specs: UgatitParamSpec[] = [conv(`DownBlock.${DOWN_CONVS[0]}.weight`, ngf, 3, 7)];
  for (let i = 0; i < N_DOWNSAMPLING; i++) specs.push(conv(`DownBlock.${DOWN_CONVS[i + 1]}.weight`, ngf * 2 ** (i + 1), ngf * 2 ** i, 3));
  for (let b = 0; b < c.nRes; b++) for (const k of [1, 5]) specs.push(conv(`DownBlock.${12 + b}.conv_block.${k}.weight`, dim, dim, 3));
  specs.push(fc('gap_fc.weight', 1, dim), fc('gmp_fc.weight', 1, dim));
  specs.push(conv('conv1x1.weight', dim, 2 * dim, 1), { name: 'conv1x1.bias', shape: [dim], init: 'bias', fanIn: 2 * dim });
  const fcIn = c.light ? dim : (c.imgSize / mult) ** 2 * dim;
  specs.push(fc('FC.0.weight', dim, fcIn), fc('FC.2.weight', dim, dim), fc('gamma.weight', dim, dim), fc('beta.weight', dim, dim));
  for (let b = 1; b <= c.nRes; b++) {
    for (const k of [1, 2]) specs.push(conv(`UpBlock1_${b}.conv${k}.weight`, dim, dim, 3), { name: `UpBlock1_${b}.norm${k}.rho`, shape: [1, dim, 1, 1], init: 'rho0.9' });
  }
  for (let i = 0; i < N_DOWNSAMPLING; i++) {
    const o = dim / 2 ** (i + 1);
    specs.push(conv(`UpBlock2.${2 + 5 * i}.weight`, o, 2 * o, 3));
    const iln = `UpBlock2.${3 + 5 * i}`;
    specs.push({ name: `${iln}.rho`, shape: [1, o, 1, 1], init: 'rho0' }, { name: `${iln}.gamma`, shape: [1, o, 1, 1], init: 'one' }, { name: `${iln}.beta`, shape: [1, o, 1, 1], init: 'zero' });
  }
  specs.push(conv(`UpBlock2.${1 + 5 * N_DOWNSAMPLING}.weight`, 3, ngf, 7));
  return specs;
}

/** One conv of Discriminator.model: its state_dict index, channels and stride. */
export interface DiscriminatorConv {
  index: number;
  inChannels: number;
  outChannels: number;
  stride: number;
}

/** The convs of Discriminator(3, ndf, n_layers).model: n_layers - 2 of stride 2, then one of stride 1. */
export function discriminatorConvs(ndf: number, nLayers: number): DiscriminatorConv[] {
  const convs: DiscriminatorConv[] = [{ index: 1, inChannels: 3, outChannels: ndf, stride: 2 }];
  for (let i = 1; i < nLayers - 2; i++) convs.push({ index: 1 + 3 * i, inChannels: ndf * 2 ** (i - 1), outChannels: ndf * 2 ** i, stride: 2 });
  const mult = 2 ** (nLayers - 3);
  convs.push({ index: 1 + 3 * (nLayers - 2), inChannels: ndf * mult, outChannels: ndf * mult * 2, stride: 1 });
  return convs;
}

/** Discriminator tensors: spectral-normed layers store weight_orig, weight_u [out], weight_v [in*kh*kw]. */
export function discriminatorSpecs(ndf: number, nLayers: number): UgatitParamSpec[] {
  const sn = (name: string, shape: number[]): UgatitParamSpec[] => {
    const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
    return [
      { name: `${name}.weight_orig`, shape, init: 'kaiming', fanIn },
      { name: `${name}.weight_u`, shape: [shape[0]!], buffer: true, init: 'normal' },
      { name: `${name}.weight_v`, shape: [fanIn], buffer: true, init: 'normal' },
    ];
  };
  const specs: UgatitParamSpec[] = [];
  for (const c of discriminatorConvs(ndf, nLayers)) {
    specs.push(...sn(`model.${c.index}`, [c.outChannels, c.inChannels, 4, 4]), { name: `model.${c.index}.bias`, shape: [c.outChannels], init: 'bias', fanIn: c.inChannels * 16 });
  }
  const dim = ndf * 2 ** (nLayers - 2);
  specs.push(...sn('gap_fc', [1, dim]), ...sn('gmp_fc', [1, dim]));
  specs.push({ name: 'conv1x1.weight', shape: [dim, 2 * dim, 1, 1], init: 'kaiming', fanIn: 2 * dim }, { name: 'conv1x1.bias', shape: [dim], init: 'bias', fanIn: 2 * dim });
  specs.push(...sn('conv', [1, dim, 4, 4]));
  return specs;
}

/** Tensors of one network of the snapshot. */
export function netSpecs(c: UgatitConfig, net: UgatitNet): UgatitParamSpec[] {
  if (net.startsWith('gen')) return generatorSpecs(c);
  return discriminatorSpecs(c.ch, net.startsWith('disG') ? c.globalLayers : c.localLayers);
}

/** Shape lookup of one network's state_dict. */
export type ShapeOf = (name: string) => readonly number[] | undefined;

/**
 * Reads the architecture from a snapshot's tensor shapes: ch, nRes and light always; imgSize in full mode
 * (FC.0 has (imgSize/4)^2 * 4ch inputs). `given` supplies what the weights do not fix (imgSize in light mode).
 * @example configFromShapes((n) => ckpt.get('genA2B')!.get(n)?.shape, (n) => ..., { imgSize: 256 })
 */
export function configFromShapes(gen: ShapeOf, disG: ShapeOf, disL: ShapeOf, given: Partial<UgatitConfig> = {}): UgatitConfig {
  const first = gen(`DownBlock.${DOWN_CONVS[0]}.weight`);
  const fc0 = gen('FC.0.weight');
  if (!first || first.length !== 4 || !fc0 || fc0.length !== 2) throw new CheckpointError('genA2B is not a U-GAT-IT ResnetGenerator (no DownBlock.1.weight or FC.0.weight)');
  const ch = first[0]!;
  let nRes = 0;
  while (gen(`DownBlock.${12 + nRes}.conv_block.1.weight`)) nRes++;
  const dim = ch * 2 ** N_DOWNSAMPLING;
  const light = fc0[1] === dim;
  let imgSize = given.imgSize ?? DEFAULT_UGATIT_CONFIG.imgSize;
  if (!light) {
    const side = Math.round(Math.sqrt(fc0[1]! / dim)) * 2 ** N_DOWNSAMPLING;
    if ((side / 2 ** N_DOWNSAMPLING) ** 2 * dim !== fc0[1]) throw new CheckpointError(`genA2B's FC.0.weight has ${fc0[1]} inputs, which no image size gives for ch ${ch}`);
    if (given.imgSize !== undefined && given.imgSize !== side) throw new CheckpointError(`the checkpoint is a full-mode model for ${side}x${side} images; it cannot run at ${given.imgSize}`);
    imgSize = side;
  }
  if (given.light !== undefined && given.light !== light) throw new CheckpointError(`the checkpoint is a ${light ? 'light' : 'full'}-mode model, not ${given.light ? 'light' : 'full'}`);
  const layers = (d: ShapeOf, fallback: number): number => {
    let n = 0;
    while (d(`model.${1 + 3 * n}.weight_orig`)) n++;
    return n > 0 ? n + 1 : fallback;
  };
  return validateUgatitConfig({ ch, nRes, light, imgSize, globalLayers: layers(disG, given.globalLayers ?? 7), localLayers: layers(disL, given.localLayers ?? 5) });
}
