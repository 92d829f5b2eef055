// `stylelab info` and `stylelab convert` for U-GAT-IT checkpoints (an official `<dataset>_params_NNNNNNN.pt` or
// a stylelab U-GAT-IT folder): the configuration read from the weights, the six networks and their sizes;
// conversion to stylelab's U-GAT-IT format, which `translate` reads.
import { CheckpointError, InputError } from '../errors.js';
import { describeConfig, type UgatitCheckpoint } from '../models/ugatit-checkpoint.js';
import { saveUgatitModel } from '../models/ugatit-files.js';
import { netSpecs, UGATIT_NETS, type UgatitNet } from '../nets/ugatit/config.js';

/** One network's summary: trained parameter values and buffer values (spectral norm's u and v). */
export interface UgatitNetworkInfo {
  kind: 'generator' | 'discriminator';
  parameters: number;
  buffers: number;
}

/** What `stylelab info --json` prints for a U-GAT-IT checkpoint (UGATIT.py's option names). */
export interface UgatitInfo {
  file: string;
  format: UgatitCheckpoint['format'];
  arch: 'U-GAT-IT';
  light: boolean;
  ch: number;
  n_res: number;
  img_size: number;
  /** Whether img_size is fixed by the weights (full mode) or only a default (light mode runs at any size). */
  img_size_fixed: boolean;
  global_dis_layers: number;
  local_dis_layers: number;
  networks: Partial<Record<UgatitNet, UgatitNetworkInfo>>;
  training?: Record<string, unknown>;
}

/**
 * The summary of a U-GAT-IT checkpoint (nothing is run).
 * @example ugatitInfo(loadUgatitCheckpoint('selfie2anime_params_0100000.pt'), 'selfie2anime_params_0100000.pt').light
 */
export function ugatitInfo(ckpt: UgatitCheckpoint, file: string): UgatitInfo {
  const c = ckpt.config;
  const networks: UgatitInfo['networks'] = {};
  for (const net of UGATIT_NETS) {
    if (!ckpt.networks[net]) continue;
    let parameters = 0;
    let buffers = 0;
    for (const s of netSpecs(c, net)) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      if (s.buffer) buffers += n;
      else parameters += n;
    }
    networks[net] = { kind: net.startsWith('gen') ? 'generator' : 'discriminator', parameters, buffers };
  }
  return {
    file, format: ckpt.format, arch: 'U-GAT-IT', light: c.light, ch: c.ch, n_res: c.nRes, img_size: c.imgSize, img_size_fixed: !c.light,
    global_dis_layers: c.globalLayers, local_dis_layers: c.localLayers, networks, ...(ckpt.training ? { training: ckpt.training } : {}),
  };
}

const FORMATS: Record<UgatitCheckpoint['format'], string> = {
  'ugatit-pt': 'U-GAT-IT training snapshot (UGATIT.py torch.save)',
  stylelab: 'stylelab U-GAT-IT model folder (config.json + weights.safetensors)',
};

/** The text `stylelab info` prints for a U-GAT-IT checkpoint. */
export function formatUgatitInfo(info: UgatitInfo): string {
  const grouped = (n: number) => n.toLocaleString('en-US');
  const size = info.img_size_fixed ? `${info.img_size} (${info.img_size}x${info.img_size}, fixed by the full-mode MLP)` : `${info.img_size} (light mode runs at any size: translate --img-size)`;
  const lines = [
    `file:          ${info.file}`,
    `format:        ${FORMATS[info.format]}`,
    `architecture:  U-GAT-IT, ${info.light ? 'light' : 'full'} mode (${info.light ? 'gamma/beta MLP on pooled features' : 'gamma/beta MLP on all features'})`,
    `networks:      ${Object.keys(info.networks).join(', ')}`,
    `ch:            ${info.ch}`,
    `n_res:         ${info.n_res} (residual blocks)`,
    `img_size:      ${size}`,
    `discriminators: global ${info.global_dis_layers} layers, local ${info.local_dis_layers} layers`,
  ];
  if (info.training && typeof info.training.iteration === 'number') lines.push(`trained:       ${info.training.iteration} iterations (stylelab train-ugatit)`);
  lines.push('');
  for (const [net, n] of Object.entries(info.networks) as [UgatitNet, UgatitNetworkInfo][]) {
    const buffers = n.buffers ? ` (+ ${grouped(n.buffers)} buffer values)` : '';
    lines.push(`${`${net} (${n.kind}):`.padEnd(26)}${grouped(n.parameters)} parameters${buffers}`);
  }
  return lines.join('\n');
}

/**
 * `--networks` for a U-GAT-IT checkpoint: some of genA2B, genB2A, disGA, disGB, disLA, disLB.
 * @example parseUgatitNets('genA2B,genB2A') // ['genA2B', 'genB2A']
 */
export function parseUgatitNets(text: string): UgatitNet[] {
  const nets = text.split(',').map((s) => s.trim());
  for (const n of nets) {
    if (!(UGATIT_NETS as readonly string[]).includes(n)) throw new InputError(`unknown network '${n}' in --networks '${text}': a U-GAT-IT checkpoint has ${UGATIT_NETS.join(', ')}`);
  }
  return [...new Set(nets)] as UgatitNet[];
}

/**
 * Writes a U-GAT-IT checkpoint in stylelab's format (the networks listed, default all) and returns the summary line.
 * @example convertUgatit(ckpt, 'models/selfie2anime', 'genA2B,genB2A');
 */
export function convertUgatit(ckpt: UgatitCheckpoint, outdir: string, networks?: string): string {
  const present = UGATIT_NETS.filter((n) => ckpt.networks[n]);
  const wanted = networks === undefined ? present : parseUgatitNets(networks);
  const missing = wanted.filter((n) => !ckpt.networks[n]);
  if (missing.length > 0) throw new CheckpointError(`the checkpoint has no network ${missing.join(', ')} (it has ${present.join(', ')})`);
  if (!wanted.some((n) => n.startsWith('gen'))) throw new InputError(`--networks '${networks}' keeps no generator: translate needs genA2B or genB2A`);
  saveUgatitModel(ckpt, outdir, wanted);
  return `wrote ${wanted.join(', ')} of a ${describeConfig(ckpt.config)} U-GAT-IT to ${outdir.endsWith('/') ? outdir : `${outdir}/`} (config.json + weights.safetensors; translate reads it)`;
}
