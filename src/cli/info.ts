// `stylelab info`: what a checkpoint holds, from its stored constructor arguments (nothing is run).
import type { Checkpoint, NetworkEntry, NetworkRole } from '../models/checkpoint.js';
import { NETWORK_ROLES, specsOf } from '../models/checkpoint.js';
import { loadUgatitCheckpointIfAny } from '../models/ugatit-files.js';
import { loadCheckpoint } from '../node.js';
import { formatUgatitInfo, ugatitInfo } from './ugatit-info.js';

export interface InfoArgs {
  network: string;
  json?: boolean;
}

/** Values in trained parameters and in buffers, as the official print_module_summary counts them. */
export function countValues(net: NetworkEntry): { parameters: number; buffers: number } {
  let parameters = 0;
  let buffers = 0;
  for (const spec of specsOf(net)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.buffer) buffers += n;
    else parameters += n;
  }
  return { parameters, buffers };
}

/** A network's summary in the official names (z_dim, num_ws, ...). */
export interface NetworkInfo {
  kind: 'generator' | 'discriminator';
  resolution: number;
  channels: number;
  c_dim: number;
  z_dim?: number;
  w_dim?: number;
  num_ws?: number;
  mapping_layers: number;
  architecture: string;
  channel_base: number;
  channel_max: number;
  conv_clamp: number | null;
  parameters: number;
  buffers: number;
  config: unknown;
}

export interface CheckpointInfo {
  file: string;
  format: Checkpoint['format'];
  arch: 'StyleGAN2' | 'StyleGAN3' | 'StyleGAN';
  networks: Partial<Record<NetworkRole, NetworkInfo>>;
  training_set_kwargs?: Record<string, unknown>;
  training?: Checkpoint['training'];
  notes?: string[];
}

function networkInfo(net: NetworkEntry): NetworkInfo {
  const counts = countValues(net);
  if (net.arch === 'stylegan1') {
    // StyleGAN (v1): progressive structure, fmap_base/fmap_max in the channel rows.
    const common = { resolution: net.config.imgResolution, channels: net.config.imgChannels, c_dim: net.config.cDim, architecture: 'progressive (StyleGAN)', conv_clamp: null, ...counts, config: net.config };
    if (net.kind === 'generator') {
      const g = net.config;
      return { kind: 'generator', ...common, z_dim: g.zDim, w_dim: g.wDim, num_ws: 2 * Math.log2(g.imgResolution) - 2, mapping_layers: g.mapping.numLayers, channel_base: g.synthesis.fmapBase, channel_max: g.synthesis.fmapMax };
    }
    return { kind: 'discriminator', ...common, mapping_layers: 0, channel_base: net.config.fmapBase, channel_max: net.config.fmapMax };
  }
  if (net.kind === 'generator') {
    const c = net.config;
    return {
      kind: 'generator', resolution: c.imgResolution, channels: c.imgChannels, c_dim: c.cDim, z_dim: c.zDim, w_dim: c.wDim, num_ws: c.mapping.numWs ?? 1,
      mapping_layers: c.mapping.numLayers, architecture: net.arch === 'stylegan3' ? (net.config.synthesis.useRadialFilters ? 'stylegan3-r' : 'stylegan3-t') : net.config.synthesis.architecture, channel_base: c.synthesis.channelBase,
      channel_max: c.synthesis.channelMax, conv_clamp: c.synthesis.convClamp, ...counts, config: c,
    };
  }
  const c = net.config;
  return {
    kind: 'discriminator', resolution: c.imgResolution, channels: c.imgChannels, c_dim: c.cDim, mapping_layers: c.cDim > 0 ? c.mapping.numLayers : 0,
    architecture: c.architecture, channel_base: c.channelBase, channel_max: c.channelMax, conv_clamp: c.convClamp, ...counts, config: c,
  };
}

/**
 * The summary of a checkpoint (what `stylelab info --json` prints).
 * @example checkpointInfo(loadCheckpoint('network.pkl'), 'network.pkl').networks.G_ema?.num_ws
 */
export function checkpointInfo(ckpt: Checkpoint, file: string): CheckpointInfo {
  const networks: CheckpointInfo['networks'] = {};
  for (const role of NETWORK_ROLES) {
    const net = ckpt.networks[role];
    if (net) networks[role] = networkInfo(net);
  }
  return { file, format: ckpt.format, arch: ckpt.arch === 'stylegan3' ? 'StyleGAN3' : ckpt.arch === 'stylegan1' ? 'StyleGAN' : 'StyleGAN2', networks, ...(ckpt.trainingSetKwargs ? { training_set_kwargs: ckpt.trainingSetKwargs } : {}), ...(ckpt.training ? { training: ckpt.training } : {}), ...(ckpt.notes ? { notes: ckpt.notes } : {}) };
}

const FORMATS: Record<Checkpoint['format'], string> = {
  'nvidia-pkl': 'NVIDIA network pickle (stylegan2-ada-pytorch / stylegan3)',
  'nvidia-tf-pkl': 'TensorFlow-era NVIDIA network pickle (dnnlib.tflib: G, D, Gs; Gs read as G_ema)',
  stylelab: `stylelab model folder (config.json + weights.safetensors)`,
};

/** The format line: a TF pickle says which generation it holds, and a v1 one that it is not verified. */
function formatText(info: CheckpointInfo): string {
  if (info.format !== 'nvidia-tf-pkl') return FORMATS[info.format];
  const gen = info.arch === 'StyleGAN' ? 'TensorFlow-era StyleGAN (v1) pickle, read without verification against TensorFlow' : 'TensorFlow-era StyleGAN2 pickle';
  return `${gen} (NVIDIA dnnlib.tflib: G, D, Gs; Gs read as G_ema)`;
}

const grouped = (n: number) => n.toLocaleString('en-US');
const channelsText = (n: number) => `${n}${n === 1 ? ' (grayscale)' : n === 3 ? ' (RGB)' : n === 4 ? ' (RGBA)' : ''}`;

/** 'by stylelab train (stylegan2), 1200.0 kimg on emoji-noto-32.zip (285 images, 32x32, x-flips)'. */
function trainedText(t: NonNullable<CheckpointInfo['training']>): string {
  const d = t.dataset ? ` on ${t.dataset.name} (${t.dataset.images} images, ${t.dataset.resolution}x${t.dataset.resolution}${t.dataset.mirror ? ', x-flips' : ''})` : '';
  return `by ${t.tool} (${t.cfg}), ${t.kimg.toFixed(t.kimg < 10 ? 3 : 1)} kimg${d}`;
}

/** The text `stylelab info` prints: aligned `key: value` lines, one block per network. */
export function formatInfo(info: CheckpointInfo): string {
  const lines = [`file:          ${info.file}`, `format:        ${formatText(info)}`, `architecture:  ${info.arch}`, `networks:      ${Object.keys(info.networks).join(', ')}`];
  if (info.training) lines.push(`trained:       ${trainedText(info.training)}`);
  for (const note of info.notes ?? []) lines.push(`note:          ${note}`);
  for (const [role, n] of Object.entries(info.networks) as [NetworkRole, NetworkInfo][]) {
    const rows: [string, string][] = [['resolution', `${n.resolution} (${n.resolution}x${n.resolution})`], ['channels', channelsText(n.channels)]];
    if (n.kind === 'generator') rows.push(['z_dim', String(n.z_dim)], ['w_dim', String(n.w_dim)], ['num_ws', String(n.num_ws)]);
    rows.push(
      ['c_dim', n.c_dim === 0 ? '0 (unconditional)' : `${n.c_dim} (classes 0-${n.c_dim - 1})`],
      ['mapping layers', String(n.mapping_layers)],
      [n.kind === 'generator' ? 'synthesis' : 'architecture', n.architecture],
      ['channel_base', String(n.channel_base)],
      ['channel_max', String(n.channel_max)],
      ['conv_clamp', n.conv_clamp === null ? 'none' : String(n.conv_clamp)],
      ['parameters', `${grouped(n.parameters)} (+ ${grouped(n.buffers)} buffer values)`],
    );
    lines.push('', `${role} (${n.kind})`, ...rows.map(([k, v]) => `  ${`${k}:`.padEnd(16)}${v}`));
  }
  return lines.join('\n');
}

/**
 * Describes a checkpoint as text or JSON.
 * @example console.log(runInfo({ network: 'network.pkl', json: true }));
 */
export function runInfo(a: InfoArgs): string {
  const ugatit = loadUgatitCheckpointIfAny(a.network);
  if (ugatit) {
    const u = ugatitInfo(ugatit, a.network);
    return a.json ? JSON.stringify(u, null, 2) : formatUgatitInfo(u);
  }
  const info = checkpointInfo(loadCheckpoint(a.network), a.network);
  return a.json ? JSON.stringify(info, null, 2) : formatInfo(info);
}
