// The feature networks of the metrics as users have them: PyTorch state dicts saved with torch.save (read by
// the allow-list readers of src/io/torch.ts; nothing in the file is executed), checked against the keys and
// shapes of the network they must be, with messages that say which file was expected instead.
import { CheckpointError } from '../../errors.js';
import { loadTorchFile } from '../../io/torch.js';
import { isTensorData, type TensorData } from '../../io/tensor.js';

/** What a feature-network file must hold, for its checks and messages. */
export interface StateDictSpec {
  /** The file as users name it, e.g. "pytorch-fid's Inception (pt_inception-2015-12-05-6726825d.pth)". */
  what: string;
  /** Keys with their shapes that identify the network (checked first, so a wrong file gets one clear line). */
  signature: Record<string, readonly number[]>;
}

/**
 * Reads a torch.save state dict (zip or legacy format) into name -> tensor, checking the spec's signature.
 * @example const sd = readStateDict(bytes, { what: 'torchvision vgg16', signature: { 'features.0.weight': [64, 3, 3, 3] } });
 */
export function readStateDict(bytes: Uint8Array, spec: StateDictSpec): Map<string, TensorData> {
  const obj = loadTorchFile(bytes);
  if (!(obj instanceof Map)) throw new CheckpointError(`${spec.what}: expected a state dict (a dict of tensors), got something else`);
  const sd = new Map<string, TensorData>();
  for (const [k, v] of obj as Map<unknown, unknown>) if (typeof k === 'string' && isTensorData(v)) sd.set(k, v);
  for (const [name, shape] of Object.entries(spec.signature)) {
    const t = sd.get(name);
    if (!t) throw new CheckpointError(`this file is not ${spec.what}: it has no tensor '${name}'${describeKeys(sd)}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(`this file is not ${spec.what}: '${name}' has shape [${t.shape}], expected [${shape}]`);
    }
  }
  return sd;
}

/** A few of the keys a file does hold (for the message when it is the wrong file). */
function describeKeys(sd: Map<string, TensorData>): string {
  const keys = [...sd.keys()];
  if (keys.length === 0) return ' (it holds no tensors)';
  return ` (it holds ${keys.length} tensors: ${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', ...' : ''})`;
}
