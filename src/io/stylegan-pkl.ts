// Reads official NVIDIA StyleGAN2-ADA / StyleGAN3 / DragGAN snapshots (network-snapshot-*.pkl)
// without running them: each network is `torch_utils.persistence._reconstruct_persistent_obj(meta)`,
// whose embedded module source is ignored and whose nn.Module __dict__ becomes a ModuleTree.
import { CheckpointError } from '../errors.js';
import { numpyGlobalTable } from './numpy-globals.js';
import { unpickle } from './pickle.js';
import {
  type GlobalConstant, type GlobalHandler, type GlobalTable, PyDict, describeValue, mergeGlobalTables, toPlain,
} from './pickle-values.js';
import { notACheckpoint, type SniffedFile, sniffFile } from './sniff.js';
import { type TensorData, isTensorData } from './tensor.js';
import { torchPickleGlobals } from './torch.js';

/** One network module as pickled: constructor arguments, plain attributes, tensors and children. */
export interface ModuleTree {
  className: string; // e.g. 'Generator', 'SynthesisBlock'
  version: number; // persistence format version in the pickle (6 for current files)
  initArgs: unknown[]; // positional constructor arguments, plain values
  initKwargs: Record<string, unknown>; // keyword constructor arguments, plain values (dicts -> objects)
  attrs: Record<string, unknown>; // other attributes of the module's __dict__, plain values
  params: Map<string, TensorData>; // _parameters, in registration order (None entries skipped)
  buffers: Map<string, TensorData>; // _buffers, in registration order (None entries skipped)
  nonPersistentBuffers: Set<string>; // buffer names that state_dict() leaves out
  modules: Map<string, ModuleTree>; // _modules, in registration order
}

/** The networks and settings of one snapshot; absent entries were not in the file (or were None). */
export interface StyleGanSnapshot {
  G?: ModuleTree;
  D?: ModuleTree;
  G_ema?: ModuleTree;
  augmentPipe?: ModuleTree;
  trainingSetKwargs?: Record<string, unknown>;
}

/**
 * What `_reconstruct_persistent_obj(meta)` returns here: the class name and the __dict__ state.
 * @example new PersistentObject('Generator', 6, new Map()).className // 'Generator'
 */
export class PersistentObject {
  constructor(
    readonly className: string,
    readonly version: number,
    readonly state: unknown,
  ) {}
}

/** nn.Module bookkeeping keys that are neither attributes nor tensors. */
const MODULE_INTERNALS: ReadonlySet<string> = new Set([
  'training', '_parameters', '_buffers', '_non_persistent_buffers_set', '_modules', '_init_args', '_init_kwargs', '_compiled_call_impl',
]);

/** Deepest module nesting accepted (real networks: about 4). */
const MAX_MODULE_DEPTH = 100;

/**
 * The allow-list for StyleGAN snapshots: torch tensors, NumPy scalars / arrays, EasyDict and the
 * persistence reconstructor (whose module source is never run or parsed).
 * @example unpickle(bytes, { globals: styleGanGlobalTable() })
 */
export function styleGanGlobalTable(): GlobalTable {
  const own = new Map<string, GlobalHandler | GlobalConstant>();
  own.set('torch_utils.persistence._reconstruct_persistent_obj', (a) => reconstructPersistent(a[0]));
  own.set('dnnlib.util.EasyDict', (a) => (a[0] instanceof Map ? new PyDict(a[0]) : new PyDict()));
  return mergeGlobalTables(torchPickleGlobals(), numpyGlobalTable(), own);
}

function reconstructPersistent(meta: unknown): PersistentObject {
  if (!(meta instanceof Map)) throw new CheckpointError(`corrupt snapshot: persistent object metadata is ${describeValue(meta)}`);
  if (meta.get('type') !== 'class') throw new CheckpointError(`unsupported persistent object type ${describeValue(meta.get('type'))} in snapshot`);
  const className = meta.get('class_name');
  if (typeof className !== 'string') throw new CheckpointError('corrupt snapshot: persistent object without a class name');
  const version = meta.get('version');
  return new PersistentObject(className, typeof version === 'number' ? version : 0, meta.get('state'));
}

// TensorFlow network objects found past the first global: a TF-era pickle in a layout stylelab does not know.
function refusalHint(name: string): string | undefined {
  if (name.startsWith('dnnlib.tflib') || name.startsWith('tfutil.')) return 'this is a TensorFlow-era network pickle in an unexpected layout (stylelab reads the (G, D, Gs) tuple NVIDIA\'s TensorFlow code writes)';
  return undefined;
}

/**
 * Reads an official StyleGAN snapshot into module trees. Never executes the pickle or its embedded source.
 * A SniffedFile's kind is trusted (the caller sniffed it once).
 * @example const { G_ema } = readStyleGanPickle(bytes); stateDict(G_ema!).get('mapping.w_avg')
 */
export function readStyleGanPickle(input: Uint8Array | SniffedFile): StyleGanSnapshot {
  const { bytes, kind } = sniffFile(input);
  if (kind === 'zip' || kind === 'torch-legacy') {
    throw new CheckpointError('this is a torch.save checkpoint, not a StyleGAN network pickle (read it with loadTorchFile)');
  }
  if (kind === 'tf-pickle') throw new CheckpointError('this is a TensorFlow-era network pickle, not a PyTorch StyleGAN snapshot (read it with readTfPickle, or loadCheckpoint for both)');
  if (kind !== 'pickle') throw notACheckpoint(bytes, kind);
  const top = unpickle(bytes, { globals: styleGanGlobalTable(), refusalHint });
  return snapshotOf(top);
}

function snapshotOf(top: unknown): StyleGanSnapshot {
  if (!(top instanceof Map)) throw new CheckpointError(`not a StyleGAN snapshot: the pickle holds ${describeValue(top)}, not a dict of networks`);
  const trees = new Map<PersistentObject, ModuleTree>();
  const net = (key: string): ModuleTree | undefined => {
    const v = top.get(key);
    if (v === undefined || v === null) return undefined;
    if (!(v instanceof PersistentObject)) throw new CheckpointError(`not a StyleGAN snapshot: '${key}' is ${describeValue(v)}, not a network`);
    return moduleTree(v, key, trees, new Set());
  };
  const snap: StyleGanSnapshot = {};
  const G = net('G');
  const D = net('D');
  const G_ema = net('G_ema');
  const augmentPipe = net('augment_pipe');
  if (G) snap.G = G;
  if (D) snap.D = D;
  if (G_ema) snap.G_ema = G_ema;
  if (augmentPipe) snap.augmentPipe = augmentPipe;
  if (!G && !D && !G_ema) {
    const keys = [...top.keys()].map((k) => (typeof k === 'string' ? `'${k}'` : describeValue(k)));
    throw new CheckpointError(`not a StyleGAN snapshot: the pickle holds a dict with keys ${keys.slice(0, 8).join(', ') || '(none)'} but no G, D or G_ema network`);
  }
  const tsk = top.get('training_set_kwargs');
  if (tsk instanceof Map) snap.trainingSetKwargs = plainObject(tsk, 'training_set_kwargs');
  return snap;
}

function moduleTree(obj: PersistentObject, path: string, trees: Map<PersistentObject, ModuleTree>, open: Set<PersistentObject>): ModuleTree {
  const done = trees.get(obj);
  if (done) return done;
  if (open.has(obj)) throw new CheckpointError(`corrupt snapshot: module '${path}' contains itself`);
  if (open.size > MAX_MODULE_DEPTH) throw new CheckpointError(`corrupt snapshot: modules nested more than ${MAX_MODULE_DEPTH} deep`);
  open.add(obj);
  const state = obj.state;
  if (!(state instanceof Map)) throw new CheckpointError(`corrupt snapshot: module '${path}' (${obj.className}) has ${describeValue(state)} as its state`);
  const tree: ModuleTree = {
    className: obj.className,
    version: obj.version,
    initArgs: [],
    initKwargs: {},
    attrs: {},
    params: tensorsOf(state.get('_parameters'), `${path}._parameters`),
    buffers: tensorsOf(state.get('_buffers'), `${path}._buffers`),
    nonPersistentBuffers: namesIn(state.get('_non_persistent_buffers_set')),
    modules: new Map(),
  };
  const args = toPlain(state.get('_init_args') ?? []);
  tree.initArgs = Array.isArray(args) ? args : [];
  if (state.get('_init_kwargs') instanceof Map) tree.initKwargs = plainObject(state.get('_init_kwargs') as Map<unknown, unknown>, `${path}._init_kwargs`);
  for (const [k, v] of state) {
    if (typeof k !== 'string' || MODULE_INTERNALS.has(k) || /^_.*hook/.test(k)) continue;
    Object.defineProperty(tree.attrs, k, { value: toPlain(v), enumerable: true, writable: true, configurable: true });
  }
  const children = state.get('_modules');
  if (children instanceof Map) {
    for (const [name, child] of children) {
      if (child === null) continue;
      const childPath = `${path}.${String(name)}`;
      if (!(child instanceof PersistentObject)) {
        throw new CheckpointError(`unsupported snapshot: submodule '${childPath}' is ${describeValue(child)}, not a persistent StyleGAN module`);
      }
      tree.modules.set(String(name), moduleTree(child, childPath, trees, open));
    }
  }
  open.delete(obj);
  trees.set(obj, tree);
  return tree;
}

function tensorsOf(v: unknown, what: string): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  if (v === undefined || v === null) return out;
  if (!(v instanceof Map)) throw new CheckpointError(`corrupt snapshot: ${what} is ${describeValue(v)}, not a dict`);
  for (const [k, t] of v) {
    if (t === null) continue;
    if (!isTensorData(t)) throw new CheckpointError(`corrupt snapshot: ${what}['${String(k)}'] is ${describeValue(t)}, not a tensor`);
    out.set(String(k), t);
  }
  return out;
}

// The names in a Python set of strings (absent or not a set: none).
function namesIn(v: unknown): Set<string> {
  return new Set(v instanceof Set ? [...v].map(String) : []);
}

function plainObject(m: Map<unknown, unknown>, what: string): Record<string, unknown> {
  const v = toPlain(m);
  if (v instanceof Map) throw new CheckpointError(`corrupt snapshot: ${what} has non-string keys`);
  return v as Record<string, unknown>;
}

/**
 * The module's tensors under PyTorch's state_dict() names ('synthesis.b8.conv0.weight'), in the
 * same order: each module's parameters, then its persistent buffers, then its children.
 * @example stateDict(snapshot.G_ema!).get('mapping.w_avg')!.shape // [64]
 */
export function stateDict(tree: ModuleTree): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  const visit = (m: ModuleTree, prefix: string): void => {
    for (const [k, t] of m.params) out.set(prefix + k, t);
    for (const [k, t] of m.buffers) if (!m.nonPersistentBuffers.has(k)) out.set(prefix + k, t);
    for (const [k, child] of m.modules) visit(child, `${prefix}${k}.`);
  };
  visit(tree, '');
  return out;
}
