// StyleGAN2 / StyleGAN2-ADA TensorFlow networks in the official PyTorch layout, exactly as NVlabs
// stylegan2-ada-pytorch legacy.py converts them (convert_tf_generator, convert_tf_discriminator): the same
// static_kwargs with the same defaults (fmap_base * 2 is the channel base; unknown kwargs refused), the same
// variable names, transposes, kernel flips, `mod_bias + 1` and noise numbering. TF dense weights are
// [in, out] and convs [kh, kw, in, out]; PyTorch's are [out, in] and [out, in, kh, kw].
import { CheckpointError } from '../errors.js';
import { collectTfParams, type TfNetwork } from '../io/tf-pickle.js';
import { type TensorData, numelOf, permuteTensor, toFloat32 } from '../io/tensor.js';
import { discriminatorConfigFromKwargs, generatorConfigFromKwargs } from '../nets/stylegan2/config.js';
import { discriminatorSpecs, generatorSpecs, initialize, type ParamSpec } from '../nets/stylegan2/init.js';
import type { NetworkEntry } from './checkpoint.js';

/** legacy.py's kwarg(): the value, the default when absent, `none` when the value is None; records the name as known. */
export class TfKwargs {
  private readonly known = new Set<string>();
  constructor(
    private readonly kwargs: Record<string, unknown>,
    private readonly where: string, // e.g. "G's" for messages
  ) {}

  /** G's kwarg(name, default, none): None (or absent without a default) becomes `none`. */
  get(name: string, fallback: unknown = null, none: unknown = null): unknown {
    this.known.add(name);
    const v = Object.hasOwn(this.kwargs, name) ? this.kwargs[name] : fallback;
    return v === null || v === undefined ? none : v;
  }

  /** D's kwarg(name, default): an explicit None stays None. */
  raw(name: string, fallback: unknown = null): unknown {
    this.known.add(name);
    return Object.hasOwn(this.kwargs, name) ? this.kwargs[name] : fallback;
  }

  /** Marks kwargs that are read elsewhere or deliberately ignored (truncation defaults, structure). */
  accept(...names: string[]): void {
    for (const n of names) this.known.add(n);
  }

  /** Refuses the first kwarg nothing read, as legacy.py's ValueError('Unknown TensorFlow kwarg', ...). */
  refuseUnknown(): void {
    const unknown = Object.keys(this.kwargs).filter((k) => !this.known.has(k));
    if (unknown.length > 0) {
      throw new CheckpointError(`unknown TensorFlow kwarg '${unknown[0]}' in ${this.where} static_kwargs (stylelab converts what stylegan2-ada-pytorch's legacy.py converts, and refuses the rest as it does)`);
    }
  }
}

// fmap_base * 2 (TF counts feature maps at stage res/2, PyTorch channels at res).
function doubled(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CheckpointError(`${where} static_kwargs has fmap_base ${JSON.stringify(v)}, not a number`);
  return v * 2;
}

/** PyTorch argument -> the TF static_kwarg it comes from, for messages. */
const TF_NAMES: Readonly<Record<string, string>> = {
  z_dim: 'latent_size', c_dim: 'label_size', w_dim: 'dlatent_size', img_resolution: 'resolution', img_channels: 'num_channels',
  channel_base: 'fmap_base (x2)', channel_max: 'fmap_max', num_layers: 'mapping_layers', embed_features: 'label_fmaps / mapping_fmaps',
  layer_features: 'mapping_fmaps', lr_multiplier: 'mapping_lrmul', resample_filter: 'resample_kernel', mbstd_num_channels: 'mbstd_num_features', cmap_dim: 'mapping_fmaps',
};

/**
 * A configuration built from a TF network's static_kwargs, with errors that point at them (PyTorch argument
 * names shown with the TF kwarg they come from).
 * @example const cfg = configFrom(() => generatorConfigFromKwargs(kwargs), 'G');
 */
export function configFrom<T>(build: () => T, role: string): T {
  try {
    return build();
  } catch (e) {
    const msg = (e as Error).message.replace("the checkpoint's init_kwargs", 'them').replace('init_kwargs ', '')
      .replace(/\b(z_dim|c_dim|w_dim|img_resolution|img_channels|channel_base|channel_max|num_layers|embed_features|layer_features|lr_multiplier|resample_filter|mbstd_num_channels|cmap_dim)\b/g, (k) => `${TF_NAMES[k]} (${k})`);
    throw new CheckpointError(`the ${role} TensorFlow network's static_kwargs give an invalid configuration: ${msg}`);
  }
}

// legacy.py: ValueError('TensorFlow pickle version too low') below 4.
function checkVersion(tf: TfNetwork, role: string): void {
  if (tf.version < 4) throw new CheckpointError(`the ${role} TensorFlow network has pickle version ${tf.version}, too low for StyleGAN2 (legacy.py needs 4)`);
}

/** One rule of the conversion table: PyTorch name pattern -> the value (null: the constructor's, e.g. resample_filter). */
type Rule = [RegExp, (...groups: string[]) => TensorData | null];

/** The TF variable, or a clear error naming it. */
function tfParam(params: Map<string, TensorData>, name: string, role: string): TensorData {
  const t = params.get(name);
  if (!t) throw new CheckpointError(`the ${role} TensorFlow network lacks the variable '${name}' that its configuration implies`);
  return t;
}

const f32 = (t: TensorData): TensorData => ({ dtype: 'float32', shape: [...t.shape], data: toFloat32(t) });
/** Dense [in, out] -> [out, in] (numpy .transpose()). */
const dense = (t: TensorData): TensorData => f32(permuteTensor(t, [1, 0]));
/** Conv [kh, kw, in, out] -> [out, in, kh, kw] (.transpose(3, 2, 0, 1)), kernel flipped first ([::-1, ::-1]) when asked. */
const conv = (t: TensorData, flip = false): TensorData => f32(permuteTensor(t, [3, 2, 0, 1], flip ? [0, 1] : []));
/** t[0] (n = 1) or t[0, 0] (n = 2). */
function leading(t: TensorData, n: number, what: string): TensorData {
  if (t.shape.length < n || t.shape.slice(0, n).some((d) => d < 1)) throw new CheckpointError(`the TensorFlow variable '${what}' has shape [${t.shape}], too small to index [${new Array<string>(n).fill('0').join(', ')}]`);
  const shape = t.shape.slice(n);
  return { dtype: 'float32', shape, data: toFloat32(t).slice(0, numelOf(shape)) };
}
/** mod_bias + 1: TF's modulation adds 1 at run time, PyTorch's affine has bias_init 1. */
const plusOne = (t: TensorData): TensorData => ({ dtype: 'float32', shape: [...t.shape], data: toFloat32(t).map((v) => v + 1) });
const noiseIndex = (r: string, offset: number): number => Math.log2(Number(r)) * 2 - offset;

/** Fills every tensor the specs name from the first matching rule, checking shapes. */
function populate(specs: readonly ParamSpec[], rules: readonly Rule[], role: string): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  for (const spec of specs) {
    const rule = rules.find(([re]) => re.test(spec.name));
    if (!rule) throw new CheckpointError(`internal: no TensorFlow rule for '${spec.name}'`);
    const value = rule[1](...rule[0].exec(spec.name)!.slice(1));
    const t = value ?? initialize([spec], 0).get(spec.name)!;
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      throw new CheckpointError(`the ${role} TensorFlow network's variable for '${spec.name}' has shape [${t.shape}] after conversion, but its configuration implies [${spec.shape}]`);
    }
    out.set(spec.name, t);
  }
  return out;
}

/**
 * convert_tf_generator: a G_main network (G or Gs) as a StyleGAN2 generator entry.
 * @example const entry = convertTfGenerator(snap.Gs, 'G_ema'); entry.config.synthesis.channelBase // fmap_base * 2
 */
export function convertTfGenerator(tf: TfNetwork, role: string): NetworkEntry {
  checkVersion(tf, role);
  const kw = new TfKwargs(tf.staticKwargs, `${role}'s`);
  const initKwargs = {
    z_dim: kw.get('latent_size', 512),
    c_dim: kw.get('label_size', 0),
    w_dim: kw.get('dlatent_size', 512),
    img_resolution: kw.get('resolution', 1024),
    img_channels: kw.get('num_channels', 3),
    mapping_kwargs: {
      num_layers: kw.get('mapping_layers', 8),
      embed_features: kw.get('label_fmaps', null),
      layer_features: kw.get('mapping_fmaps', null),
      activation: kw.get('mapping_nonlinearity', 'lrelu'),
      lr_multiplier: kw.get('mapping_lrmul', 0.01),
      w_avg_beta: kw.get('w_avg_beta', 0.995, 1),
    },
    synthesis_kwargs: {
      channel_base: doubled(kw.get('fmap_base', 16384), `${role}'s`),
      channel_max: kw.get('fmap_max', 512),
      num_fp16_res: kw.get('num_fp16_res', 0),
      conv_clamp: kw.get('conv_clamp', null),
      architecture: kw.get('architecture', 'skip'),
      resample_filter: kw.get('resample_kernel', [1, 3, 3, 1]),
      use_noise: kw.get('use_noise', true),
      activation: kw.get('nonlinearity', 'lrelu'),
    },
  };
  kw.accept('truncation_psi', 'truncation_cutoff', 'style_mixing_prob', 'structure');
  kw.refuseUnknown();
  const config = configFrom(() => generatorConfigFromKwargs(initKwargs), role);
  const p = collectTfParams(tf);
  const v = (name: string): TensorData => tfParam(p, name, role);
  const S = (r: string, layer: string, field: string): TensorData => v(`synthesis/${r}x${r}/${layer}/${field}`);
  const layerRules = (idx: string, layer: string, flip: boolean, noiseOffset: number): Rule[] => [
    [new RegExp(`^synthesis\\.b(\\d+)\\.${idx}\\.weight$`), (r) => conv(S(r, layer, 'weight'), flip)],
    [new RegExp(`^synthesis\\.b(\\d+)\\.${idx}\\.bias$`), (r) => f32(S(r, layer, 'bias'))],
    [new RegExp(`^synthesis\\.b(\\d+)\\.${idx}\\.noise_const$`), (r) => leading(v(`synthesis/noise${noiseIndex(r, noiseOffset)}`), 2, `synthesis/noise${noiseIndex(r, noiseOffset)}`)],
    [new RegExp(`^synthesis\\.b(\\d+)\\.${idx}\\.noise_strength$`), (r) => f32(S(r, layer, 'noise_strength'))],
    [new RegExp(`^synthesis\\.b(\\d+)\\.${idx}\\.affine\\.weight$`), (r) => dense(S(r, layer, 'mod_weight'))],
    [new RegExp(`^synthesis\\.b(\\d+)\\.${idx}\\.affine\\.bias$`), (r) => plusOne(S(r, layer, 'mod_bias'))],
  ];
  const rules: Rule[] = [
    [/^mapping\.w_avg$/, () => f32(v('dlatent_avg'))],
    [/^mapping\.embed\.weight$/, () => dense(v('mapping/LabelEmbed/weight'))],
    [/^mapping\.embed\.bias$/, () => f32(v('mapping/LabelEmbed/bias'))],
    [/^mapping\.fc(\d+)\.weight$/, (i) => dense(v(`mapping/Dense${i}/weight`))],
    [/^mapping\.fc(\d+)\.bias$/, (i) => f32(v(`mapping/Dense${i}/bias`))],
    [/^synthesis\.b4\.const$/, () => leading(v('synthesis/4x4/Const/const'), 1, 'synthesis/4x4/Const/const')],
    [/^synthesis\.b4\.conv1\.weight$/, () => conv(v('synthesis/4x4/Conv/weight'))],
    [/^synthesis\.b4\.conv1\.bias$/, () => f32(v('synthesis/4x4/Conv/bias'))],
    [/^synthesis\.b4\.conv1\.noise_const$/, () => leading(v('synthesis/noise0'), 2, 'synthesis/noise0')],
    [/^synthesis\.b4\.conv1\.noise_strength$/, () => f32(v('synthesis/4x4/Conv/noise_strength'))],
    [/^synthesis\.b4\.conv1\.affine\.weight$/, () => dense(v('synthesis/4x4/Conv/mod_weight'))],
    [/^synthesis\.b4\.conv1\.affine\.bias$/, () => plusOne(v('synthesis/4x4/Conv/mod_bias'))],
    ...layerRules('conv0', 'Conv0_up', true, 5),
    ...layerRules('conv1', 'Conv1', false, 4),
    [/^synthesis\.b(\d+)\.torgb\.weight$/, (r) => conv(S(r, 'ToRGB', 'weight'))],
    [/^synthesis\.b(\d+)\.torgb\.bias$/, (r) => f32(S(r, 'ToRGB', 'bias'))],
    [/^synthesis\.b(\d+)\.torgb\.affine\.weight$/, (r) => dense(S(r, 'ToRGB', 'mod_weight'))],
    [/^synthesis\.b(\d+)\.torgb\.affine\.bias$/, (r) => plusOne(S(r, 'ToRGB', 'mod_bias'))],
    [/^synthesis\.b(\d+)\.skip\.weight$/, (r) => conv(S(r, 'Skip', 'weight'), true)],
    [/\.resample_filter$/, () => null],
  ];
  return { kind: 'generator', arch: 'stylegan2', config, tensors: populate(generatorSpecs(config), rules, role) };
}

/**
 * convert_tf_discriminator: a D_main / D_stylegan2 network as a StyleGAN2 discriminator entry.
 * @example const entry = convertTfDiscriminator(snap.D, 'D');
 */
export function convertTfDiscriminator(tf: TfNetwork, role: string): NetworkEntry {
  checkVersion(tf, role);
  const kw = new TfKwargs(tf.staticKwargs, `${role}'s`);
  const initKwargs = {
    c_dim: kw.raw('label_size', 0),
    img_resolution: kw.raw('resolution', 1024),
    img_channels: kw.raw('num_channels', 3),
    architecture: kw.raw('architecture', 'resnet'),
    channel_base: doubled(kw.raw('fmap_base', 16384), `${role}'s`),
    channel_max: kw.raw('fmap_max', 512),
    num_fp16_res: kw.raw('num_fp16_res', 0),
    conv_clamp: kw.raw('conv_clamp', null),
    cmap_dim: kw.raw('mapping_fmaps', null),
    block_kwargs: { activation: kw.raw('nonlinearity', 'lrelu'), resample_filter: kw.raw('resample_kernel', [1, 3, 3, 1]), freeze_layers: kw.raw('freeze_layers', 0) },
    mapping_kwargs: {
      num_layers: kw.raw('mapping_layers', 0),
      embed_features: kw.raw('mapping_fmaps', null),
      layer_features: kw.raw('mapping_fmaps', null),
      activation: kw.raw('nonlinearity', 'lrelu'),
      lr_multiplier: kw.raw('mapping_lrmul', 0.1),
    },
    epilogue_kwargs: { mbstd_group_size: kw.raw('mbstd_group_size', null), mbstd_num_channels: kw.raw('mbstd_num_features', 1), activation: kw.raw('nonlinearity', 'lrelu') },
  };
  kw.accept('structure');
  kw.refuseUnknown();
  const p = collectTfParams(tf);
  // FromRGB_lod{n} (a progressive-growing D): named by resolution, and the architecture becomes 'orig'.
  for (const [name, t] of [...p]) {
    const m = /^FromRGB_lod(\d+)\/(.*)$/.exec(name);
    if (!m) continue;
    const r = Math.floor(Number(initKwargs.img_resolution) / 2 ** Number(m[1]));
    p.set(`${r}x${r}/FromRGB/${m[2]}`, t);
    initKwargs.architecture = 'orig';
  }
  const config = configFrom(() => discriminatorConfigFromKwargs(initKwargs), role);
  const v = (name: string): TensorData => tfParam(p, name, role);
  const rules: Rule[] = [
    [/^b(\d+)\.fromrgb\.weight$/, (r) => conv(v(`${r}x${r}/FromRGB/weight`))],
    [/^b(\d+)\.fromrgb\.bias$/, (r) => f32(v(`${r}x${r}/FromRGB/bias`))],
    [/^b(\d+)\.conv(\d+)\.weight$/, (r, i) => conv(v(`${r}x${r}/Conv${i}${i === '1' ? '_down' : ''}/weight`))],
    [/^b(\d+)\.conv(\d+)\.bias$/, (r, i) => f32(v(`${r}x${r}/Conv${i}${i === '1' ? '_down' : ''}/bias`))],
    [/^b(\d+)\.skip\.weight$/, (r) => conv(v(`${r}x${r}/Skip/weight`))],
    [/^mapping\.embed\.weight$/, () => dense(v('LabelEmbed/weight'))],
    [/^mapping\.embed\.bias$/, () => f32(v('LabelEmbed/bias'))],
    [/^mapping\.fc(\d+)\.weight$/, (i) => dense(v(`Mapping${i}/weight`))],
    [/^mapping\.fc(\d+)\.bias$/, (i) => f32(v(`Mapping${i}/bias`))],
    [/^b4\.conv\.weight$/, () => conv(v('4x4/Conv/weight'))],
    [/^b4\.conv\.bias$/, () => f32(v('4x4/Conv/bias'))],
    [/^b4\.fc\.weight$/, () => dense(v('4x4/Dense0/weight'))],
    [/^b4\.fc\.bias$/, () => f32(v('4x4/Dense0/bias'))],
    [/^b4\.out\.weight$/, () => dense(v('Output/weight'))],
    [/^b4\.out\.bias$/, () => f32(v('Output/bias'))],
    [/\.resample_filter$/, () => null],
  ];
  return { kind: 'discriminator', arch: 'stylegan2', config, tensors: populate(discriminatorSpecs(config), rules, role) };
}
