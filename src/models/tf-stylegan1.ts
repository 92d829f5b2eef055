// StyleGAN (v1) TensorFlow networks (NVlabs/stylegan training/networks_stylegan.py: G_style with its
// G_mapping and G_synthesis components, D_basic) in stylelab's StyleGAN (v1) layout, whose tensor names are
// the TF variable names with '/' written '.'. Best effort: no TensorFlow run was available to compare
// outputs, so names, shapes and layouts follow the official source; values are only transposed (dense
// [in, out] -> [out, in], conv [kh, kw, in, out] -> [out, in, kh, kw]).
import { CheckpointError } from '../errors.js';
import { collectTfParams, type TfNetwork } from '../io/tf-pickle.js';
import { type TensorData, permuteTensor, toFloat32 } from '../io/tensor.js';
import {
  type StyleGAN1DiscriminatorConfig, type StyleGAN1GeneratorConfig, validateStyleGAN1DiscriminatorConfig, validateStyleGAN1GeneratorConfig,
} from '../nets/stylegan1/config.js';
import { stylegan1DiscriminatorSpecs, stylegan1GeneratorSpecs } from '../nets/stylegan1/init.js';
import type { ParamSpec } from '../nets/stylegan2/init.js';
import type { NetworkEntry } from './checkpoint.js';
import { configFrom } from './tf-stylegan2.js';

/** Keyword arguments stylelab computes only at the official default: name -> that default. */
const G_FIXED: Readonly<Record<string, unknown>> = {
  mapping_nonlinearity: 'lrelu', nonlinearity: 'lrelu', use_wscale: true, fmap_decay: 1, use_styles: true, const_input_layer: true,
  use_pixel_norm: false, use_instance_norm: true, fused_scale: 'auto', dtype: 'float32',
};
const D_FIXED: Readonly<Record<string, unknown>> = { nonlinearity: 'lrelu', use_wscale: true, fmap_decay: 1, fused_scale: 'auto', dtype: 'float32' };
/** Keyword arguments read into the configuration, or with no effect on a network's outputs (run-time and training switches). */
const G_READ = [
  'latent_size', 'label_size', 'dlatent_size', 'resolution', 'num_channels', 'mapping_layers', 'mapping_fmaps', 'mapping_lrmul', 'normalize_latents',
  'fmap_base', 'fmap_max', 'use_noise', 'blur_filter', 'dlatent_avg_beta', 'truncation_cutoff', 'style_mixing_prob',
  'truncation_psi', 'truncation_psi_val', 'truncation_cutoff_val', 'randomize_noise', 'structure', 'is_training', 'is_validation',
  'is_template_graph', 'force_clean_graph', 'dlatent_broadcast',
];
const D_READ = ['label_size', 'resolution', 'num_channels', 'fmap_base', 'fmap_max', 'mbstd_group_size', 'mbstd_num_features', 'blur_filter', 'structure', 'is_template_graph'];

/** The keyword arguments' values with the official defaults; refuses a fixed one at another value; lists the ignored ones. */
function kwargsOf(kw: Record<string, unknown>, fixed: Readonly<Record<string, unknown>>, read: readonly string[], role: string): { get: (k: string, d: unknown) => unknown; ignored: string[] } {
  for (const [k, want] of Object.entries(fixed)) {
    if (Object.hasOwn(kw, k) && kw[k] !== want) throw new CheckpointError(`the ${role} TensorFlow StyleGAN network has ${k}=${JSON.stringify(kw[k])}, which stylelab does not support (only ${JSON.stringify(want)})`);
  }
  const ignored = Object.keys(kw).filter((k) => !Object.hasOwn(fixed, k) && !read.includes(k));
  return { get: (k, d) => (Object.hasOwn(kw, k) ? kw[k] : d), ignored };
}

/** TF layout -> ours: rank-2 weights transposed, rank-4 conv weights to [out, in, kh, kw], the rest as stored. */
function toOurs(name: string, t: TensorData): TensorData {
  const isWeight = name.endsWith('.weight');
  const v = isWeight && t.shape.length === 2 ? permuteTensor(t, [1, 0]) : isWeight && t.shape.length === 4 ? permuteTensor(t, [3, 2, 0, 1]) : t;
  return { dtype: 'float32', shape: [...v.shape], data: toFloat32(v).slice() };
}

/** Every tensor the specs name, from the TF variable of the same name ('.' -> '/'; `source` overrides), shapes checked. */
function populate(specs: readonly ParamSpec[], params: Map<string, TensorData>, role: string, source: (ours: string) => string): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  for (const spec of specs) {
    const tfName = source(spec.name);
    const t = params.get(tfName);
    if (!t) throw new CheckpointError(`the ${role} TensorFlow StyleGAN network lacks the variable '${tfName}' that its configuration implies`);
    const ours = toOurs(spec.name, t);
    if (ours.shape.length !== spec.shape.length || ours.shape.some((d, i) => d !== spec.shape[i])) {
      throw new CheckpointError(`the ${role} TensorFlow StyleGAN network's '${tfName}' has shape [${t.shape}], but its configuration implies [${spec.shape}] in our layout`);
    }
    params.delete(tfName);
    out.set(spec.name, ours);
  }
  return out;
}

/** A converted v1 network and what the conversion left aside (for `info`). */
export interface TfStyleGAN1Result {
  entry: NetworkEntry;
  ignoredKwargs: string[];
  unusedVariables: string[];
  /** G_style's truncation_psi (default 0.7; null = None): what Gs.run applied unless told otherwise. */
  truncationPsi?: number | null;
}

/**
 * A G_style network (G or Gs) as a StyleGAN (v1) generator entry. G's own `lod` (which G_style feeds to the
 * synthesis network at run time) becomes `synthesis.lod`.
 * @example convertTfStyleGAN1Generator(snap.Gs, 'G_ema').entry.config.truncationCutoff // 8
 */
export function convertTfStyleGAN1Generator(tf: TfNetwork, role: string): TfStyleGAN1Result {
  if (!tf.components.has('mapping') || !tf.components.has('synthesis')) throw new CheckpointError(`the ${role} TensorFlow StyleGAN network (G_style) lacks its mapping or synthesis component`);
  const kw = kwargsOf(tf.staticKwargs, G_FIXED, G_READ, role);
  const get = kw.get;
  const nullable = (k: string, d: unknown, none: unknown): unknown => get(k, d) ?? none;
  const config: StyleGAN1GeneratorConfig = configFrom(() => validateStyleGAN1GeneratorConfig({
    zDim: get('latent_size', 512) as number,
    cDim: get('label_size', 0) as number,
    wDim: get('dlatent_size', 512) as number,
    imgResolution: get('resolution', 1024) as number,
    imgChannels: get('num_channels', 3) as number,
    mapping: {
      numLayers: get('mapping_layers', 8) as number,
      layerFeatures: get('mapping_fmaps', 512) as number,
      lrMultiplier: get('mapping_lrmul', 0.01) as number,
      normalizeLatents: get('normalize_latents', true) as boolean,
    },
    synthesis: {
      fmapBase: get('fmap_base', 8192) as number,
      fmapMax: get('fmap_max', 512) as number,
      useNoise: get('use_noise', true) as boolean,
      blurFilter: get('blur_filter', [1, 2, 1]) as number[] | null,
    },
    dlatentAvgBeta: get('dlatent_avg_beta', 0.995) as number | null,
    truncationCutoff: get('truncation_cutoff', 8) as number | null, // None (TF: no truncation) -> every layer when a psi is asked for
    styleMixingProb: nullable('style_mixing_prob', 0.9, 0) as number,
  }), role);
  const params = collectTfParams(tf);
  const lod = params.has('lod') ? 'lod' : 'synthesis/lod';
  const tensors = populate(stylegan1GeneratorSpecs(config), params, role, (ours) => (ours === 'synthesis.lod' ? lod : ours.replaceAll('.', '/')));
  params.delete('synthesis/lod'); // overwritten from G's lod whenever G_style runs
  const psi = get('truncation_psi', 0.7);
  return { entry: { kind: 'generator', arch: 'stylegan1', config, tensors }, ignoredKwargs: kw.ignored, unusedVariables: [...params.keys()], truncationPsi: typeof psi === 'number' ? psi : null };
}

/**
 * A D_basic network as a StyleGAN (v1) discriminator entry (its `lod` variable is not used: stylelab's
 * discriminator takes the level of detail at run time).
 * @example convertTfStyleGAN1Discriminator(snap.D, 'D').entry.config.mbstdGroupSize // 4
 */
export function convertTfStyleGAN1Discriminator(tf: TfNetwork, role: string): TfStyleGAN1Result {
  const kw = kwargsOf(tf.staticKwargs, D_FIXED, D_READ, role);
  const get = kw.get;
  const config: StyleGAN1DiscriminatorConfig = configFrom(() => validateStyleGAN1DiscriminatorConfig({
    cDim: get('label_size', 0) as number,
    imgResolution: get('resolution', 32) as number,
    imgChannels: get('num_channels', 1) as number,
    fmapBase: get('fmap_base', 8192) as number,
    fmapMax: get('fmap_max', 512) as number,
    mbstdGroupSize: get('mbstd_group_size', 4) as number,
    mbstdNumFeatures: get('mbstd_num_features', 1) as number,
    blurFilter: get('blur_filter', [1, 2, 1]) as number[] | null,
  }), role);
  const params = collectTfParams(tf);
  const tensors = populate(stylegan1DiscriminatorSpecs(config), params, role, (ours) => ours.replaceAll('.', '/'));
  params.delete('lod');
  return { entry: { kind: 'discriminator', arch: 'stylegan1', config, tensors }, ignoredKwargs: kw.ignored, unusedVariables: [...params.keys()] };
}
