// Checkpoints: official NVIDIA snapshots (.pkl) and stylelab's own format (safetensors + JSON config).
// Networks are rebuilt from their stored constructor arguments, never from a file name.
import { CheckpointError } from '../errors.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { notACheckpoint, type SniffedFile, sniffFile } from '../io/sniff.js';
import { type ModuleTree, readStyleGanPickle, stateDict } from '../io/stylegan-pkl.js';
import type { TensorData } from '../io/tensor.js';
import { type DiscriminatorConfig, discriminatorConfigFromKwargs, type GeneratorConfig, generatorConfigFromKwargs, validateDiscriminatorConfig, validateGeneratorConfig } from '../nets/stylegan2/config.js';
import { discriminatorSpecs, generatorSpecs } from '../nets/stylegan2/init.js';
import { type GeneratorConfig3, generatorConfig3FromKwargs, validateGeneratorConfig3 } from '../nets/stylegan3/config.js';
import { generator3Specs } from '../nets/stylegan3/init.js';
import { readTfCheckpoint } from './tf-checkpoint.js';
import { isUgatitParams } from './ugatit-checkpoint.js';

const UGATIT_HINT = 'this is a U-GAT-IT checkpoint, which translates images: use `stylelab translate --checkpoint <path>`';
import { type StyleGAN1DiscriminatorConfig, type StyleGAN1GeneratorConfig, validateStyleGAN1DiscriminatorConfig, validateStyleGAN1GeneratorConfig } from '../nets/stylegan1/config.js';
import { stylegan1DiscriminatorSpecs, stylegan1GeneratorSpecs } from '../nets/stylegan1/init.js';

/** Which network of a snapshot: the trained generator, its moving average (used for generation), the discriminator. */
export type NetworkRole = 'G' | 'G_ema' | 'D';
export const NETWORK_ROLES: readonly NetworkRole[] = ['G_ema', 'G', 'D'];

/** Generator architectures stylelab runs; each network entry names its own (an SG3 snapshot's D is a StyleGAN2 one). */
export type GeneratorArch = 'stylegan2' | 'stylegan3' | 'stylegan1';
export const GENERATOR_ARCHS: readonly GeneratorArch[] = ['stylegan2', 'stylegan3', 'stylegan1'];

export type NetworkEntry =
  | { kind: 'generator'; arch: 'stylegan2'; config: GeneratorConfig; tensors: Map<string, TensorData> }
  | { kind: 'generator'; arch: 'stylegan3'; config: GeneratorConfig3; tensors: Map<string, TensorData> }
  | { kind: 'discriminator'; arch: 'stylegan2'; config: DiscriminatorConfig; tensors: Map<string, TensorData> }
  | { kind: 'generator'; arch: 'stylegan1'; config: StyleGAN1GeneratorConfig; tensors: Map<string, TensorData> }
  | { kind: 'discriminator'; arch: 'stylegan1'; config: StyleGAN1DiscriminatorConfig; tensors: Map<string, TensorData> };

/** A generator entry of one architecture. */
export type GeneratorEntry = Extract<NetworkEntry, { kind: 'generator' }>;

/** A tensor that a network's configuration implies: official name, shape, and whether it is a buffer (not trained). */
export interface TensorSpec {
  name: string;
  shape: number[];
  buffer?: boolean;
}

/** How a network trained by stylelab was made (config.json's `training`; `stylelab info` shows it). */
export interface TrainingProvenance {
  tool: string; // e.g. 'stylelab 0.1.0 train'
  cfg: string; // training configuration, e.g. 'stylegan2'
  kimg: number; // thousands of real images shown
  dataset?: { name: string; images: number; resolution: number; mirror: boolean };
}

/** A loaded checkpoint: the networks it holds, by role. */
export interface Checkpoint {
  /** The architecture of its generator(s) (stylegan2 when it holds only a discriminator). */
  arch: GeneratorArch;
  /** nvidia-pkl: a PyTorch snapshot; nvidia-tf-pkl: a TensorFlow-era pickle (G, D, Gs); stylelab: our model folder. */
  format: 'nvidia-pkl' | 'nvidia-tf-pkl' | 'stylelab';
  networks: Partial<Record<NetworkRole, NetworkEntry>>;
  trainingSetKwargs?: Record<string, unknown>;
  training?: TrainingProvenance;
  /** The augmentation probability p of a PyTorch snapshot's augment_pipe (what a resumed run starts ADA from). */
  augmentP?: number;
  /** What the reader wants a user to know about how the networks were read (`info` prints them). */
  notes?: string[];
}

/** Version of stylelab's own format written by this code. */
export const FORMAT_VERSION = 1;

/**
 * The tensors a network's configuration implies: official names, shapes, and which are buffers rather than trained parameters.
 * @example specsOf(ckpt.networks.G_ema!).filter((p) => !p.buffer)
 */
export function specsOf(entry: NetworkEntry): TensorSpec[] {
  if (entry.arch === 'stylegan1') return entry.kind === 'generator' ? stylegan1GeneratorSpecs(validateStyleGAN1GeneratorConfig(entry.config)) : stylegan1DiscriminatorSpecs(validateStyleGAN1DiscriminatorConfig(entry.config));
  if (entry.kind === 'discriminator') return discriminatorSpecs(validateDiscriminatorConfig(entry.config));
  if (entry.arch === 'stylegan3') return generator3Specs(validateGeneratorConfig3(entry.config));
  return generatorSpecs(validateGeneratorConfig(entry.config));
}

/** A generator entry from a stored configuration, checked against its architecture's tensors. */
function generatorEntry(arch: unknown, config: unknown, tensors: Map<string, TensorData>): GeneratorEntry {
  if (arch === 'stylegan3') return { kind: 'generator', arch, config: config as GeneratorConfig3, tensors };
  if (arch === 'stylegan2') return { kind: 'generator', arch, config: config as GeneratorConfig, tensors };
  if (arch === 'stylegan1') return { kind: 'generator', arch, config: config as StyleGAN1GeneratorConfig, tensors };
  throw new CheckpointError(`config.json names architecture '${String(arch)}', which stylelab does not know`);
}

/** The generators' architecture of a set of networks (they must agree). */
function archOf(networks: Checkpoint['networks']): GeneratorArch {
  const archs = new Set(NETWORK_ROLES.flatMap((r) => (networks[r]?.kind === 'generator' ? [networks[r].arch] : [])));
  if (archs.size > 1) throw new CheckpointError(`the checkpoint mixes generator architectures (${[...archs].join(', ')})`);
  return [...archs][0] ?? 'stylegan2';
}

/** Checks that a network has every tensor its configuration implies, with the right shape. */
function checked(entry: NetworkEntry, role: NetworkRole): NetworkEntry {
  let specs;
  try {
    specs = specsOf(entry);
  } catch (e) {
    throw new CheckpointError(`the ${role} network's configuration is invalid: ${(e as Error).message}`);
  }
  for (const spec of specs) {
    const t = entry.tensors.get(spec.name);
    if (!t) throw new CheckpointError(`the ${role} network lacks the tensor '${spec.name}' that its configuration implies`);
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      throw new CheckpointError(`the ${role} network's '${spec.name}' has shape [${t.shape}], but its configuration implies [${spec.shape}]`);
    }
  }
  return entry;
}

/** Identifies a network tree by its class and structure (not by any name the user gave the file). */
function entryOf(tree: ModuleTree, role: NetworkRole): NetworkEntry {
  if (tree.className === 'Generator') {
    const synthesis = tree.modules.get('synthesis');
    if (synthesis?.modules.has('input')) {
      let config: GeneratorConfig3;
      try {
        config = generatorConfig3FromKwargs(tree.initKwargs);
      } catch (e) {
        throw new CheckpointError(`the ${role} network (StyleGAN3) has an invalid configuration: ${(e as Error).message}`);
      }
      return checked({ kind: 'generator', arch: 'stylegan3', config, tensors: stateDict(tree) }, role);
    }
    if (!synthesis?.modules.has('b4')) throw new CheckpointError(`the ${role} network is a Generator of an unknown kind (no synthesis.b4 block)`);
    return checked({ kind: 'generator', arch: 'stylegan2', config: generatorConfigFromKwargs(tree.initKwargs), tensors: stateDict(tree) }, role);
  }
  if (tree.className === 'Discriminator') {
    if (!tree.modules.has('b4')) throw new CheckpointError(`the ${role} network is a Discriminator of an unknown kind (no b4 epilogue)`);
    return checked({ kind: 'discriminator', arch: 'stylegan2', config: discriminatorConfigFromKwargs(tree.initKwargs), tensors: stateDict(tree) }, role);
  }
  throw new CheckpointError(`the ${role} network is a '${tree.className}', which stylelab does not know`);
}

/**
 * Reads an official snapshot (network-snapshot-*.pkl of stylegan2-ada-pytorch, stylegan3 or DragGAN).
 * @example const ckpt = readNvidiaPickle(bytes); ckpt.networks.G_ema?.config.imgResolution
 */
export function readNvidiaPickle(input: Uint8Array | SniffedFile): Checkpoint {
  const snap = readStyleGanPickle(input);
  const networks: Checkpoint['networks'] = {};
  for (const role of NETWORK_ROLES) {
    const tree = snap[role];
    if (tree) networks[role] = entryOf(tree, role);
  }
  const augmentP = augmentProbability(snap.augmentPipe);
  return {
    arch: archOf(networks), format: 'nvidia-pkl', networks,
    ...(snap.trainingSetKwargs ? { trainingSetKwargs: snap.trainingSetKwargs } : {}),
    ...(augmentP !== null ? { augmentP } : {}),
  };
}

/** The scalar buffer `p` of a snapshot's augment_pipe, if it has a finite non-negative one. */
function augmentProbability(pipe: ModuleTree | undefined): number | null {
  const p = pipe?.buffers.get('p');
  if (!p || p.data.length !== 1) return null;
  const v = Number(p.data[0]);
  return Number.isFinite(v) && v >= 0 ? v : null;
}

/** The JSON written beside the weights. */
export interface StylelabConfigFile {
  formatVersion: number;
  /** The generators' architecture; a network entry's own `arch` (absent in older files) takes precedence. */
  arch: GeneratorArch;
  config: Partial<Record<NetworkRole, { kind: 'generator'; arch?: GeneratorArch; config: GeneratorConfig | GeneratorConfig3 | StyleGAN1GeneratorConfig } | { kind: 'discriminator'; arch?: 'stylegan2' | 'stylegan1'; config: DiscriminatorConfig | StyleGAN1DiscriminatorConfig }>>;
  trainingSetKwargs?: Record<string, unknown>;
  training?: TrainingProvenance;
}

/** config.json's `training`, checked field by field (a malformed one is an error, not silently dropped). */
function readProvenance(t: unknown): TrainingProvenance {
  const o = t as Partial<TrainingProvenance> | null;
  const d = o?.dataset;
  const ok = typeof o === 'object' && o !== null && typeof o.tool === 'string' && typeof o.cfg === 'string' && Number.isFinite(o.kimg)
    && (d === undefined || (typeof d === 'object' && d !== null && typeof d.name === 'string' && Number.isInteger(d.images) && Number.isInteger(d.resolution) && typeof d.mirror === 'boolean'));
  if (!ok) throw new CheckpointError('config.json has a malformed "training" entry (expected tool, cfg, kimg and an optional dataset {name, images, resolution, mirror})');
  return o as TrainingProvenance;
}

/**
 * Serialises networks to stylelab's format: a JSON config and one safetensors file whose tensor names are
 * `<role>.<official name>` (e.g. `G_ema.synthesis.b8.conv0.weight`).
 * @example const { configJson, weights } = writeStylelabModel(ckpt, ['G_ema']);
 */
export function writeStylelabModel(ckpt: Checkpoint, roles: readonly NetworkRole[] = NETWORK_ROLES): { configJson: string; weights: Uint8Array } {
  const file: StylelabConfigFile = { formatVersion: FORMAT_VERSION, arch: ckpt.arch, config: {} };
  const tensors = new Map<string, TensorData>();
  for (const role of roles) {
    const net = ckpt.networks[role];
    if (!net) continue;
    file.config[role] = net.kind === 'generator' ? { kind: 'generator', arch: net.arch, config: net.config } : { kind: 'discriminator', arch: net.arch, config: net.config };
    for (const [name, t] of net.tensors) tensors.set(`${role}.${name}`, t);
  }
  if (Object.keys(file.config).length === 0) throw new CheckpointError(`the checkpoint has none of the networks ${roles.join(', ')}`);
  if (ckpt.trainingSetKwargs) file.trainingSetKwargs = ckpt.trainingSetKwargs;
  if (ckpt.training) file.training = ckpt.training;
  return { configJson: JSON.stringify(file, null, 2) + '\n', weights: writeSafetensors(tensors, { format: 'stylelab', formatVersion: String(FORMAT_VERSION) }) };
}

/**
 * Reads stylelab's format back (the JSON text and the safetensors bytes).
 * @example const ckpt = readStylelabModel(configJson, weightsBytes);
 */
export function readStylelabModel(configJson: string, weights: Uint8Array): Checkpoint {
  let file: StylelabConfigFile;
  try {
    file = JSON.parse(configJson) as StylelabConfigFile;
  } catch (e) {
    throw new CheckpointError(`config.json is not valid JSON (${(e as Error).message})`);
  }
  if (typeof file !== 'object' || file === null || typeof file.formatVersion !== 'number') throw new CheckpointError('config.json has no formatVersion: not a stylelab model');
  if (file.formatVersion > FORMAT_VERSION) throw new CheckpointError(`config.json has formatVersion ${file.formatVersion}; this stylelab reads up to ${FORMAT_VERSION}`);
  if ((file.arch as string) === 'ugatit') throw new CheckpointError(UGATIT_HINT);
  if (!GENERATOR_ARCHS.includes(file.arch)) throw new CheckpointError(`config.json names architecture '${String(file.arch)}', which stylelab does not know`);
  const st = readSafetensors(weights);
  const networks: Checkpoint['networks'] = {};
  for (const [role, entry] of Object.entries(file.config ?? {}) as [NetworkRole, StylelabConfigFile['config'][NetworkRole]][]) {
    if (!NETWORK_ROLES.includes(role) || !entry) throw new CheckpointError(`config.json lists an unknown network '${role}'`);
    const tensors = new Map<string, TensorData>();
    for (const [name, t] of st.tensors) if (name.startsWith(`${role}.`)) tensors.set(name.slice(role.length + 1), t);
    if (tensors.size === 0) throw new CheckpointError(`the weights file holds no tensors for network '${role}'`);
    if (typeof entry.config !== 'object' || entry.config === null) throw new CheckpointError(`config.json has no configuration for network '${role}'`);
    if (entry.kind !== 'generator' && entry.kind !== 'discriminator') throw new CheckpointError(`config.json gives network '${role}' the unknown kind '${String((entry as { kind: unknown }).kind)}'`);
    // A discriminator is StyleGAN2's, or StyleGAN (v1)'s D_basic in a stylegan1 model.
    const dArch = entry.kind === 'discriminator' ? (entry.arch ?? (file.arch === 'stylegan1' ? 'stylegan1' : 'stylegan2')) : null;
    if (dArch !== null && dArch !== 'stylegan2' && dArch !== 'stylegan1') throw new CheckpointError(`config.json gives discriminator '${role}' the unknown architecture '${String(dArch)}'`);
    const dEntry = (): NetworkEntry =>
      dArch === 'stylegan1' ? { kind: 'discriminator', arch: 'stylegan1', config: entry.config as StyleGAN1DiscriminatorConfig, tensors } : { kind: 'discriminator', arch: 'stylegan2', config: entry.config as DiscriminatorConfig, tensors };
    networks[role] = checked(entry.kind === 'generator' ? generatorEntry(entry.arch ?? file.arch, entry.config, tensors) : dEntry(), role);
  }
  return {
    arch: archOf(networks), format: 'stylelab', networks,
    ...(file.trainingSetKwargs ? { trainingSetKwargs: file.trainingSetKwargs } : {}),
    ...(file.training !== undefined ? { training: readProvenance(file.training) } : {}),
  };
}

/**
 * Reads checkpoint bytes of a single-file format (an NVIDIA pickle, PyTorch or TensorFlow-era), with a clear
 * error for anything else. The bytes are sniffed once here (a SniffedFile's kind is trusted) and the kind passed down.
 * @example const ckpt = readCheckpointBytes(await file.arrayBuffer().then((b) => new Uint8Array(b)));
 */
export function readCheckpointBytes(input: Uint8Array | SniffedFile): Checkpoint {
  const file = sniffFile(input);
  switch (file.kind) {
    case 'pickle': return readNvidiaPickle(file);
    case 'tf-pickle': return readTfCheckpoint(file);
    case 'safetensors': throw new CheckpointError('this is a safetensors weights file: load the stylelab model folder (with its config.json) instead');
    case 'zip': case 'torch-legacy':
      if (isUgatitParams(file)) throw new CheckpointError(UGATIT_HINT);
      throw new CheckpointError(`this is a PyTorch ${file.kind === 'zip' ? 'zip' : 'legacy'} checkpoint (torch.save), not a StyleGAN network pickle`);
    default: throw notACheckpoint(file.bytes, file.kind);
  }
}

/** The role to generate with: G_ema when present, else G. */
export function defaultGeneratorRole(ckpt: Checkpoint): NetworkRole {
  if (ckpt.networks.G_ema?.kind === 'generator') return 'G_ema';
  if (ckpt.networks.G?.kind === 'generator') return 'G';
  throw new CheckpointError('the checkpoint holds no generator (G_ema or G)');
}
