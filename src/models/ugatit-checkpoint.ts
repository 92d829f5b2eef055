// U-GAT-IT checkpoints: the official training snapshots (`<dataset>_params_NNNNNNN.pt`, a dict of six
// state_dicts saved by torch.save in zip or legacy format) and stylelab's own format (config.json +
// weights.safetensors). The architecture is read from tensor shapes, never from the file name.
import { CheckpointError } from '../errors.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { notACheckpoint, type SniffedFile, sniffFile } from '../io/sniff.js';
import { isTensorData, loadTorchFile, type TensorData } from '../io/torch.js';
import { configFromShapes, GENERATOR_NETS, netSpecs, UGATIT_NETS, type UgatitConfig, type UgatitNet, validateUgatitConfig } from '../nets/ugatit/config.js';

/** A loaded U-GAT-IT checkpoint: its configuration and the state_dict of each network it holds. */
export interface UgatitCheckpoint {
  arch: 'ugatit';
  format: 'ugatit-pt' | 'stylelab';
  config: UgatitConfig;
  networks: Partial<Record<UgatitNet, Map<string, TensorData>>>;
  /** Training state saved with stylelab snapshots (iteration, options). */
  training?: Record<string, unknown>;
}

/** Version of stylelab's U-GAT-IT format written by this code. */
export const UGATIT_FORMAT_VERSION = 1;

/** config.json of stylelab's U-GAT-IT format. */
export interface UgatitConfigFile {
  formatVersion: number;
  arch: 'ugatit';
  config: UgatitConfig;
  networks: UgatitNet[];
  training?: Record<string, unknown>;
}

/** Checks that every network has exactly the tensors its configuration implies. */
export function checkUgatitNetworks(ckpt: UgatitCheckpoint): UgatitCheckpoint {
  for (const net of UGATIT_NETS) {
    const sd = ckpt.networks[net];
    if (!sd) continue;
    for (const spec of netSpecs(ckpt.config, net)) {
      const t = sd.get(spec.name);
      if (!t) throw new CheckpointError(`${net} lacks the tensor '${spec.name}' that a ${describeConfig(ckpt.config)} model has`);
      if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
        throw new CheckpointError(`${net}'s '${spec.name}' has shape [${t.shape}], but a ${describeConfig(ckpt.config)} model has [${spec.shape}]`);
      }
    }
  }
  if (!GENERATOR_NETS.some((n) => ckpt.networks[n])) throw new CheckpointError('the checkpoint holds neither genA2B nor genB2A');
  return ckpt;
}

/** "light, ch 64, 4 residual blocks, 256x256" */
export function describeConfig(c: UgatitConfig): string {
  return `${c.light ? 'light' : 'full'}-mode, ch ${c.ch}, ${c.nRes} residual block${c.nRes === 1 ? '' : 's'}, ${c.imgSize}x${c.imgSize}`;
}

/** The dict of six state_dicts inside a torch.save file, or null when the file holds something else. */
function ugatitDict(obj: unknown): Map<string, unknown> | null {
  if (!(obj instanceof Map) || !obj.has('genA2B')) return null;
  return obj as Map<string, unknown>;
}

/**
 * True when the bytes are a torch.save file holding a U-GAT-IT snapshot (for errors in other commands).
 * @example if (isUgatitParams(bytes)) throw new Error('use translate');
 */
export function isUgatitParams(input: Uint8Array | SniffedFile): boolean {
  const file = sniffFile(input);
  if (file.kind !== 'zip' && file.kind !== 'torch-legacy') return false;
  try {
    return ugatitDict(loadTorchFile(file)) !== null;
  } catch {
    return false;
  }
}

/**
 * Reads an official snapshot (`<dataset>_params_NNNNNNN.pt`). `given` supplies what the weights do not fix:
 * the image size of a light-mode model (default 256); a value contradicting the weights is an error.
 * @example const ckpt = readUgatitParams(bytes, { imgSize: 256 }); ckpt.config.light
 */
export function readUgatitParams(input: Uint8Array | SniffedFile, given: Partial<UgatitConfig> = {}): UgatitCheckpoint {
  const file = sniffFile(input);
  if (file.kind !== 'zip' && file.kind !== 'pickle' && file.kind !== 'torch-legacy') throw notACheckpoint(file.bytes, file.kind);
  const ckpt = ugatitFromTorchObject(loadTorchFile(file), given);
  if (!ckpt) throw new CheckpointError('this torch.save file is not a U-GAT-IT snapshot (no genA2B state_dict)');
  return ckpt;
}

/**
 * The U-GAT-IT checkpoint in an unpickled torch.save object (UGATIT.py's dict of six state_dicts), or null when
 * the object is something else.
 * @example const ckpt = ugatitFromTorchObject(loadTorchFile(bytes)); if (ckpt) describeConfig(ckpt.config);
 */
export function ugatitFromTorchObject(obj: unknown, given: Partial<UgatitConfig> = {}): UgatitCheckpoint | null {
  const dict = ugatitDict(obj);
  if (!dict) return null;
  const networks: UgatitCheckpoint['networks'] = {};
  for (const net of UGATIT_NETS) {
    const sd = dict.get(net);
    if (sd === undefined) continue;
    if (!(sd instanceof Map)) throw new CheckpointError(`${net} in the snapshot is not a state_dict`);
    const tensors = new Map<string, TensorData>();
    for (const [name, t] of sd as Map<string, unknown>) {
      if (!isTensorData(t)) throw new CheckpointError(`${net}.${String(name)} in the snapshot is not a tensor`);
      tensors.set(String(name), t);
    }
    networks[net] = tensors;
  }
  const shapeOf = (net: UgatitNet) => (name: string) => networks[net]?.get(name)?.shape;
  const gen = networks.genA2B ? 'genA2B' : 'genB2A';
  const config = configFromShapes(shapeOf(gen), shapeOf(networks.disGA ? 'disGA' : 'disGB'), shapeOf(networks.disLA ? 'disLA' : 'disLB'), given);
  return checkUgatitNetworks({ arch: 'ugatit', format: 'ugatit-pt', config, networks });
}

/**
 * Serialises to stylelab's format: config.json text and safetensors bytes with names `<net>.<official name>`.
 * @example const { configJson, weights } = writeUgatitModel(ckpt);
 */
export function writeUgatitModel(ckpt: UgatitCheckpoint, nets: readonly UgatitNet[] = UGATIT_NETS): { configJson: string; weights: Uint8Array } {
  const file: UgatitConfigFile = { formatVersion: UGATIT_FORMAT_VERSION, arch: 'ugatit', config: ckpt.config, networks: [] };
  const tensors = new Map<string, TensorData>();
  for (const net of nets) {
    const sd = ckpt.networks[net];
    if (!sd) continue;
    file.networks.push(net);
    for (const [name, t] of sd) tensors.set(`${net}.${name}`, t);
  }
  if (file.networks.length === 0) throw new CheckpointError(`the checkpoint has none of the networks ${nets.join(', ')}`);
  if (ckpt.training) file.training = ckpt.training;
  return { configJson: JSON.stringify(file, null, 2) + '\n', weights: writeSafetensors(tensors, { format: 'stylelab', arch: 'ugatit', formatVersion: String(UGATIT_FORMAT_VERSION) }) };
}

/**
 * Reads stylelab's U-GAT-IT format back.
 * @example const ckpt = readUgatitModel(readFileSync('m/config.json', 'utf8'), readFileSync('m/weights.safetensors'));
 */
export function readUgatitModel(configJson: string, weights: Uint8Array): UgatitCheckpoint {
  let file: UgatitConfigFile;
  try {
    file = JSON.parse(configJson) as UgatitConfigFile;
  } catch (e) {
    throw new CheckpointError(`config.json is not valid JSON (${(e as Error).message})`);
  }
  if (typeof file !== 'object' || file === null || typeof file.formatVersion !== 'number') throw new CheckpointError('config.json has no formatVersion: not a stylelab model');
  if (file.arch !== 'ugatit') throw new CheckpointError(`config.json describes a '${String(file.arch)}' model, not a U-GAT-IT one`);
  if (file.formatVersion > UGATIT_FORMAT_VERSION) throw new CheckpointError(`config.json has formatVersion ${file.formatVersion}; this stylelab reads up to ${UGATIT_FORMAT_VERSION}`);
  let config: UgatitConfig;
  try {
    config = validateUgatitConfig(file.config ?? {});
  } catch (e) {
    throw new CheckpointError(`config.json's configuration is invalid: ${(e as Error).message}`);
  }
  const st = readSafetensors(weights);
  const networks: UgatitCheckpoint['networks'] = {};
  for (const net of file.networks ?? []) {
    if (!UGATIT_NETS.includes(net)) throw new CheckpointError(`config.json lists an unknown network '${String(net)}'`);
    const tensors = new Map<string, TensorData>();
    for (const [name, t] of st.tensors) if (name.startsWith(`${net}.`)) tensors.set(name.slice(net.length + 1), t);
    networks[net] = tensors;
  }
  return checkUgatitNetworks({ arch: 'ugatit', format: 'stylelab', config, networks, ...(file.training ? { training: file.training } : {}) });
}

/** True when a stylelab config.json text describes a U-GAT-IT model. */
export function isUgatitConfigJson(configJson: string): boolean {
  try {
    return (JSON.parse(configJson) as { arch?: unknown }).arch === 'ugatit';
  } catch {
    return false;
  }
}
