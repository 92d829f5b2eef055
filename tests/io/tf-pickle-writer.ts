// Test-only: writes TensorFlow-era network pickles as NVIDIA's dnnlib.tflib code does (a tuple (G, D, Gs) of
// Network objects: NEWOBJ then BUILD with the __getstate__ dict, variables as NumPy arrays), from stylelab
// networks through the inverse of legacy.py's conversion (StyleGAN2) or the v1 naming (StyleGAN). Used to
// build conditional and v1 networks that no fixture has, and hostile or mislabelled variants.
import { type TensorData, numelOf, permuteTensor, tensorBytes, toFloat32 } from '../../src/io/tensor.js';
import type { NetworkEntry } from '../../src/models/checkpoint.js';

/** A Python tuple for the writer. */
export class Tuple {
  constructor(readonly items: unknown[]) {}
}

/** A Python global (a class or function) for the writer. */
export class Global {
  constructor(readonly module: string, readonly name: string) {}
}

/** `cls(*args)` by REDUCE. */
export class Call {
  constructor(readonly callable: Global, readonly args: unknown[]) {}
}

/** A TF Network as pickled: the state dict of its __getstate__. */
export interface TfNetState {
  version: number;
  name: string;
  static_kwargs: Record<string, unknown>;
  components: Record<string, TfNet>;
  build_module_src: string;
  build_func_name: string;
  variables: [string, TensorData][];
  [extra: string]: unknown;
}

/** A Network object (NEWOBJ of `module.Network`, then BUILD with `state`). */
export class TfNet {
  constructor(readonly state: TfNetState, readonly module = 'dnnlib.tflib.network') {}
}

const isTensor = (v: unknown): v is TensorData => typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'data' in v;

/** Pickles a value tree: null, booleans, numbers, strings, Uint8Array, arrays (lists), Tuple, plain objects (dicts), TensorData (float32 ndarrays), Global, Call, TfNet. */
export function pickleValue(value: unknown, protocol: 3 | 4 = 3): Uint8Array {
  const out: number[] = [];
  const raw = (...b: number[]) => out.push(...b);
  const u32 = (n: number) => raw(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  const bytes = (b: Uint8Array) => {
    raw(0x42);
    u32(b.length);
    for (const x of b) out.push(x);
  };
  const str = (s: string) => {
    const b = new TextEncoder().encode(s);
    if (protocol >= 4 && b.length < 256) raw(0x8c, b.length, ...b);
    else {
      raw(0x58);
      u32(b.length);
      for (const x of b) out.push(x);
    }
  };
  const global = (g: Global) => {
    if (protocol >= 4) {
      str(g.module);
      str(g.name);
      raw(0x93);
    } else {
      raw(0x63);
      for (const c of `${g.module}\n${g.name}\n`) out.push(c.charCodeAt(0));
    }
  };
  const write = (v: unknown): void => {
    if (v === null || v === undefined) raw(0x4e);
    else if (v === true) raw(0x88);
    else if (v === false) raw(0x89);
    else if (typeof v === 'number') {
      if (Number.isInteger(v) && Math.abs(v) < 2 ** 31) {
        raw(0x4a);
        u32(v >>> 0);
      } else {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, v, false);
        raw(0x47, ...b);
      }
    } else if (typeof v === 'string') str(v);
    else if (v instanceof Uint8Array) bytes(v);
    else if (v instanceof Global) global(v);
    else if (v instanceof Call) {
      global(v.callable);
      write(new Tuple(v.args));
      raw(0x52);
    } else if (v instanceof Tuple) {
      // As Python does: TUPLE1-3 after the items for short tuples, MARK ... TUPLE otherwise.
      if (v.items.length === 0) raw(0x29);
      else if (v.items.length <= 3) {
        for (const x of v.items) write(x);
        raw(0x84 + v.items.length);
      } else {
        raw(0x28);
        for (const x of v.items) write(x);
        raw(0x74);
      }
    } else if (Array.isArray(v)) {
      raw(0x5d, 0x28);
      for (const x of v) write(x);
      raw(0x65);
    } else if (v instanceof TfNet) {
      global(new Global(v.module, 'Network'));
      raw(0x29, 0x81); // EMPTY_TUPLE, NEWOBJ
      write(v.state);
      raw(0x62); // BUILD
    } else if (isTensor(v)) {
      // numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b') then BUILD (1, shape, dtype, False, data).
      write(new Call(new Global('numpy.core.multiarray', '_reconstruct'), [new Global('numpy', 'ndarray'), new Tuple([0]), new Uint8Array([0x62])]));
      const f = { dtype: 'float32' as const, shape: v.shape, data: toFloat32(v) };
      raw(0x28);
      write(1);
      write(new Tuple(v.shape));
      write(new Call(new Global('numpy', 'dtype'), ['f4', false, true]));
      write(new Tuple([3, '<', null, null, null, -1, -1, 0]));
      raw(0x62);
      write(false);
      write(tensorBytes(f).slice());
      raw(0x74, 0x62);
    } else if (typeof v === 'object') {
      raw(0x7d, 0x28);
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        write(k);
        write(x);
      }
      raw(0x75);
    } else throw new Error(`cannot pickle ${typeof v}`);
  };
  write(value);
  raw(0x2e);
  const head = protocol >= 4 ? [0x80, protocol, 0x95, ...le64(out.length)] : [0x80, protocol];
  return Uint8Array.from([...head, ...out]);
}

function le64(n: number): number[] {
  const b: number[] = [];
  for (let i = 0; i < 8; i++) b.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
  return b;
}

// ---- stylelab -> TF layout (the inverse of src/models/tf-stylegan2.ts and tf-stylegan1.ts) ----

const f32 = (t: TensorData): TensorData => ({ dtype: 'float32', shape: [...t.shape], data: toFloat32(t).slice() });
/** [out, in] -> TF [in, out]. */
const denseTf = (t: TensorData): TensorData => f32(permuteTensor(t, [1, 0]));
/** [out, in, kh, kw] -> TF [kh, kw, in, out], kernel flipped after when asked (the inverse of legacy.py's [::-1, ::-1].transpose(3, 2, 0, 1)). */
function convTf(t: TensorData, flip = false): TensorData {
  const v = permuteTensor(t, [2, 3, 1, 0]);
  return f32(flip ? permuteTensor(v, [0, 1, 2, 3], [0, 1]) : v);
}
const expand = (t: TensorData, n: number): TensorData => ({ dtype: 'float32', shape: [...new Array<number>(n).fill(1), ...t.shape], data: toFloat32(t).slice() });
const minusOne = (t: TensorData): TensorData => ({ dtype: 'float32', shape: [...t.shape], data: toFloat32(t).map((v) => v - 1) });

const SRC = '# TensorFlow network source omitted (stylelab test pickle)\n';

function net(name: string, func: string, kwargs: Record<string, unknown>, variables: [string, TensorData][], components: Record<string, TfNet> = {}, version = 4): TfNet {
  return new TfNet({ version, name, static_kwargs: kwargs, components, build_module_src: SRC, build_func_name: func, variables });
}

/** TF static_kwargs of a StyleGAN2 generator (what legacy.py reads back into the same configuration). */
export function tfGeneratorKwargs(e: NetworkEntry): Record<string, unknown> {
  if (e.kind !== 'generator' || e.arch !== 'stylegan2') throw new Error('not a StyleGAN2 generator');
  const c = e.config;
  const kw: Record<string, unknown> = {
    num_channels: c.imgChannels, resolution: c.imgResolution, label_size: c.cDim, latent_size: c.zDim, dlatent_size: c.wDim,
    mapping_layers: c.mapping.numLayers, mapping_lrmul: c.mapping.lrMultiplier, mapping_nonlinearity: c.mapping.activation,
    fmap_base: c.synthesis.channelBase / 2, fmap_max: c.synthesis.channelMax, architecture: c.synthesis.architecture,
    conv_clamp: c.synthesis.convClamp, num_fp16_res: c.synthesis.numFp16Res, resample_kernel: c.synthesis.resampleFilter,
    use_noise: c.synthesis.useNoise, nonlinearity: c.synthesis.activation, w_avg_beta: c.mapping.wAvgBeta,
  };
  if (c.mapping.embedFeatures !== null) kw.label_fmaps = c.mapping.embedFeatures;
  if (c.mapping.layerFeatures !== null) kw.mapping_fmaps = c.mapping.layerFeatures;
  return kw;
}

/** A StyleGAN2 generator as TF's G_main with its G_mapping and G_synthesis_stylegan2 components. */
export function tfGenerator(e: NetworkEntry, name: string, kwargs = tfGeneratorKwargs(e)): TfNet {
  const t = (k: string): TensorData => {
    const v = e.tensors.get(k);
    if (!v) throw new Error(`no tensor ${k}`);
    return v;
  };
  const mapping: [string, TensorData][] = [];
  const synthesis: [string, TensorData][] = [];
  for (const k of e.tensors.keys()) {
    let m: RegExpExecArray | null;
    if ((m = /^mapping\.embed\.(weight|bias)$/.exec(k))) mapping.push([`LabelEmbed/${m[1]}`, m[1] === 'weight' ? denseTf(t(k)) : f32(t(k))]);
    else if ((m = /^mapping\.fc(\d+)\.(weight|bias)$/.exec(k))) mapping.push([`Dense${m[1]}/${m[2]}`, m[2] === 'weight' ? denseTf(t(k)) : f32(t(k))]);
    else if (k === 'synthesis.b4.const') synthesis.push(['4x4/Const/const', expand(t(k), 1)]);
    else if ((m = /^synthesis\.b(\d+)\.(conv0|conv1|torgb|skip)\.(weight|bias|noise_strength|noise_const|affine\.weight|affine\.bias)$/.exec(k))) {
      const [r, layer, field] = [m[1]!, m[2]!, m[3]!];
      const tfLayer = r === '4' && layer === 'conv1' ? 'Conv' : { conv0: 'Conv0_up', conv1: 'Conv1', torgb: 'ToRGB', skip: 'Skip' }[layer]!;
      const at = `${r}x${r}/${tfLayer}`;
      const flip = layer === 'conv0' || layer === 'skip';
      if (field === 'weight') synthesis.push([`${at}/weight`, convTf(t(k), flip)]);
      else if (field === 'bias' || field === 'noise_strength') synthesis.push([`${at}/${field}`, f32(t(k))]);
      else if (field === 'affine.weight') synthesis.push([`${at}/mod_weight`, denseTf(t(k))]);
      else if (field === 'affine.bias') synthesis.push([`${at}/mod_bias`, minusOne(t(k))]);
      else synthesis.push([`noise${Math.log2(Number(r)) * 2 - (layer === 'conv0' ? 5 : 4)}`, expand(t(k), 2)]);
    }
  }
  const g: [string, TensorData][] = [['dlatent_avg', f32(t('mapping.w_avg'))]];
  return net(name, 'training.networks_stylegan2.G_main', kwargs, g, {
    mapping: net(`${name}_mapping`, 'training.networks_stylegan2.G_mapping', kwargs, mapping),
    synthesis: net(`${name}_synthesis`, 'training.networks_stylegan2.G_synthesis_stylegan2', kwargs, synthesis),
  });
}

/** TF static_kwargs of a StyleGAN2 discriminator. */
export function tfDiscriminatorKwargs(e: NetworkEntry): Record<string, unknown> {
  if (e.kind !== 'discriminator' || e.arch !== 'stylegan2') throw new Error('not a StyleGAN2 discriminator');
  const c = e.config;
  const kw: Record<string, unknown> = {
    num_channels: c.imgChannels, resolution: c.imgResolution, label_size: c.cDim, fmap_base: c.channelBase / 2, fmap_max: c.channelMax,
    architecture: c.architecture, conv_clamp: c.convClamp, num_fp16_res: c.numFp16Res, mbstd_group_size: c.mbstdGroupSize,
    mbstd_num_features: c.mbstdNumChannels, nonlinearity: c.activation, resample_kernel: c.resampleFilter,
  };
  if (c.cDim > 0) Object.assign(kw, { mapping_layers: c.mapping.numLayers, mapping_fmaps: c.cmapDim, mapping_lrmul: c.mapping.lrMultiplier });
  return kw;
}

/** A StyleGAN2 discriminator as TF's D_stylegan2. */
export function tfDiscriminator(e: NetworkEntry, name = 'D', kwargs = tfDiscriminatorKwargs(e)): TfNet {
  const vars: [string, TensorData][] = [];
  for (const [k, v] of e.tensors) {
    let m: RegExpExecArray | null;
    const wb = (at: string, field: string, conv: boolean) => vars.push([`${at}/${field}`, field === 'weight' ? (conv ? convTf(v) : denseTf(v)) : f32(v)]);
    if ((m = /^b(\d+)\.fromrgb\.(weight|bias)$/.exec(k))) wb(`${m[1]}x${m[1]}/FromRGB`, m[2]!, true);
    else if ((m = /^b(\d+)\.conv([01])\.(weight|bias)$/.exec(k))) wb(`${m[1]}x${m[1]}/Conv${m[2]}${m[2] === '1' ? '_down' : ''}`, m[3]!, true);
    else if ((m = /^b(\d+)\.skip\.weight$/.exec(k))) wb(`${m[1]}x${m[1]}/Skip`, 'weight', true);
    else if ((m = /^mapping\.embed\.(weight|bias)$/.exec(k))) wb('LabelEmbed', m[1]!, false);
    else if ((m = /^mapping\.fc(\d+)\.(weight|bias)$/.exec(k))) wb(`Mapping${m[1]}`, m[2]!, false);
    else if ((m = /^b4\.conv\.(weight|bias)$/.exec(k))) wb('4x4/Conv', m[1]!, true);
    else if ((m = /^b4\.fc\.(weight|bias)$/.exec(k))) wb('4x4/Dense0', m[1]!, false);
    else if ((m = /^b4\.out\.(weight|bias)$/.exec(k))) wb('Output', m[1]!, false);
  }
  return net(name, 'training.networks_stylegan2.D_stylegan2', kwargs, vars);
}

/** StyleGAN (v1) names: ours with '.' -> '/', weights back to TF layout. */
function v1Var(name: string, t: TensorData): TensorData {
  const isWeight = name.endsWith('.weight');
  if (isWeight && t.shape.length === 2) return denseTf(t);
  if (isWeight && t.shape.length === 4) return convTf(t);
  return f32(t);
}

/** A StyleGAN (v1) generator as TF's G_style with G_mapping and G_synthesis (our synthesis.lod is G's lod and the synthesis one). */
export function tfStyleGAN1Generator(e: NetworkEntry, name: string, version = 3): TfNet {
  if (e.kind !== 'generator' || e.arch !== 'stylegan1') throw new Error('not a StyleGAN (v1) generator');
  const c = e.config;
  const kwargs: Record<string, unknown> = {
    num_channels: c.imgChannels, resolution: c.imgResolution, label_size: c.cDim, latent_size: c.zDim, dlatent_size: c.wDim,
    mapping_layers: c.mapping.numLayers, mapping_fmaps: c.mapping.layerFeatures, mapping_lrmul: c.mapping.lrMultiplier,
    normalize_latents: c.mapping.normalizeLatents, fmap_base: c.synthesis.fmapBase, fmap_max: c.synthesis.fmapMax,
    use_noise: c.synthesis.useNoise, blur_filter: c.synthesis.blurFilter, truncation_cutoff: c.truncationCutoff,
    dlatent_avg_beta: c.dlatentAvgBeta, style_mixing_prob: c.styleMixingProb,
  };
  const mapping: [string, TensorData][] = [];
  const synthesis: [string, TensorData][] = [];
  const lod = e.tensors.get('synthesis.lod')!;
  const own: [string, TensorData][] = [['lod', f32(lod)], ['dlatent_avg', f32(e.tensors.get('dlatent_avg')!)]];
  for (const [k, t] of e.tensors) {
    if (k.startsWith('mapping.')) mapping.push([k.slice(8).replaceAll('.', '/'), v1Var(k, t)]);
    else if (k.startsWith('synthesis.')) synthesis.push([k.slice(10).replaceAll('.', '/'), v1Var(k, t)]);
  }
  return net(name, 'training.networks_stylegan.G_style', kwargs, own, {
    synthesis: net(`${name === 'G' ? '' : name + '_'}G_synthesis`, 'training.networks_stylegan.G_synthesis', kwargs, synthesis, {}, version),
    mapping: net(`${name === 'G' ? '' : name + '_'}G_mapping`, 'training.networks_stylegan.G_mapping', { ...kwargs, dlatent_broadcast: 2 * Math.log2(c.imgResolution) - 2 }, mapping, {}, version),
  }, version);
}

/** A StyleGAN (v1) discriminator as TF's D_basic (with its lod variable at 0). */
export function tfStyleGAN1Discriminator(e: NetworkEntry, version = 3): TfNet {
  if (e.kind !== 'discriminator' || e.arch !== 'stylegan1') throw new Error('not a StyleGAN (v1) discriminator');
  const c = e.config;
  const kwargs = { num_channels: c.imgChannels, resolution: c.imgResolution, label_size: c.cDim, fmap_base: c.fmapBase, fmap_max: c.fmapMax, mbstd_group_size: c.mbstdGroupSize, mbstd_num_features: c.mbstdNumFeatures, blur_filter: c.blurFilter };
  const vars: [string, TensorData][] = [['lod', { dtype: 'float32', shape: [], data: new Float32Array(1) }]];
  for (const [k, t] of e.tensors) vars.push([k.replaceAll('.', '/'), v1Var(k, t)]);
  return net('D', 'training.networks_stylegan.D_basic', kwargs, vars, {}, version);
}

/**
 * Every tensor of an entry replaced by normal draws (filters kept), so that no transform hides behind a zero or a
 * one; values are multiples of 2^-12, so that mod_bias = bias - 1 and back is exact in float32.
 */
export function randomized(e: NetworkEntry, seed: number): NetworkEntry {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const normal = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const tensors = new Map<string, TensorData>();
  for (const [k, t] of e.tensors) {
    const keep = k.endsWith('resample_filter') || k === 'synthesis.lod';
    tensors.set(k, keep ? t : { dtype: 'float32', shape: [...t.shape], data: Float32Array.from({ length: numelOf(t.shape) }, () => Math.round(2048 * normal()) / 4096) });
  }
  return { ...e, tensors } as NetworkEntry;
}
