// Reads TensorFlow-era network pickles (NVIDIA's StyleGAN and StyleGAN2 / StyleGAN2-ADA TensorFlow code:
// dnnlib/tflib/network.py) without running them. Each network is `Network.__new__()` then BUILD with its
// __getstate__ dict: version, name, static_kwargs, components, build_module_src (TensorFlow source text,
// never executed or parsed), build_func_name and variables (name, NumPy array). The allow-list holds the
// Network class and the NumPy globals arrays need, nothing else.
import { CheckpointError } from '../errors.js';
import { numpyGlobalTable } from './numpy-globals.js';
import { unpickle } from './pickle.js';
import { type GlobalHandler, type GlobalTable, PyTuple, SETSTATE, describeValue, mergeGlobalTables, toPlain } from './pickle-values.js';
import { notACheckpoint, type SniffedFile, sniffFile } from './sniff.js';
import { type TensorData, isTensorData } from './tensor.js';

/** One TensorFlow network as pickled: its build function, keyword arguments, own variables and sub-networks. */
export interface TfNetwork {
  module: string; // module of the pickled class: 'dnnlib.tflib.network' (StyleGAN 1/2) or 'tfutil' (ProGAN)
  version: number; // Network pickle format: 2-3 StyleGAN, 4 StyleGAN2 / StyleGAN2-ADA
  name: string; // e.g. 'Gs', 'G_synthesis'
  buildFuncName: string; // e.g. 'training.networks_stylegan2.G_main'
  staticKwargs: Record<string, unknown>; // keyword arguments of the build function, plain values
  components: Map<string, TfNetwork>; // sub-networks ('mapping', 'synthesis'), in pickle order
  variables: Map<string, TensorData>; // own variables by TensorFlow name ('4x4/Conv/weight'), in pickle order
}

/** The networks of a TensorFlow-era pickle: NVIDIA's (G, D, Gs) tuple, or one generator pickled alone (Gs). */
export interface TfSnapshot {
  G?: TfNetwork;
  D?: TfNetwork;
  Gs: TfNetwork;
}

/**
 * What `Network.__new__()` gives here: an object waiting for its BUILD state.
 * @example new TfNetworkObject('dnnlib.tflib.network').state // null until BUILD
 */
export class TfNetworkObject {
  state: unknown = null;
  constructor(readonly module: string) {}
  [SETSTATE](state: unknown): void {
    this.state = state;
  }
}

/** Deepest component nesting accepted (real networks: 2). */
const MAX_DEPTH = 16;

function networkClass(module: string): GlobalHandler {
  return (args) => {
    if (args.length !== 0) throw new CheckpointError(`corrupt TensorFlow pickle: ${module}.Network created with ${args.length} arguments`);
    return new TfNetworkObject(module);
  };
}

/**
 * The allow-list for TensorFlow-era pickles: the two Network classes and the NumPy dtype, array and scalar globals.
 * @example unpickle(bytes, { globals: tfGlobalTable() })
 */
export function tfGlobalTable(): GlobalTable {
  const own = new Map<string, GlobalHandler>([
    ['dnnlib.tflib.network.Network', networkClass('dnnlib.tflib.network')],
    ['tfutil.Network', networkClass('tfutil')],
  ]);
  return mergeGlobalTables(numpyGlobalTable(), own);
}

// A refused global: name what the file is when it looks like a PyTorch snapshot.
function refusalHint(name: string): string | undefined {
  if (name.startsWith('torch') || name.startsWith('torch_utils.')) return 'this pickle mixes TensorFlow networks with PyTorch objects, which no official code writes';
  return undefined;
}

/**
 * Reads a TensorFlow-era network pickle into network trees. Never executes the pickle or its embedded source.
 * A SniffedFile's kind is trusted (the caller sniffed it once).
 * @example const { Gs } = readTfPickle(bytes); Gs.components.get('synthesis')!.variables.get('4x4/Conv/weight')!.shape // [3, 3, 512, 512]
 */
export function readTfPickle(input: Uint8Array | SniffedFile): TfSnapshot {
  const { bytes, kind } = sniffFile(input);
  if (kind === 'pickle') throw new CheckpointError('this pickle does not start with a TensorFlow network (dnnlib.tflib.network.Network): not a TensorFlow-era StyleGAN pickle');
  if (kind !== 'tf-pickle') throw notACheckpoint(bytes, kind);
  const top = unpickle(bytes, { globals: tfGlobalTable(), refusalHint });
  const trees = new Map<TfNetworkObject, TfNetwork>();
  const net = (v: unknown, what: string): TfNetwork => {
    if (!(v instanceof TfNetworkObject)) throw new CheckpointError(`not a TensorFlow StyleGAN pickle: ${what} is ${describeValue(v)}, not a network`);
    return networkTree(v, what, trees, new Set());
  };
  if (top instanceof TfNetworkObject) return { Gs: net(top, 'the pickled network') };
  if (!(top instanceof PyTuple) || top.length !== 3) {
    throw new CheckpointError(`not a TensorFlow StyleGAN pickle: it holds ${describeValue(top)}, not the tuple (G, D, Gs) of networks`);
  }
  return { G: net(top.items[0], 'G (item 0)'), D: net(top.items[1], 'D (item 1)'), Gs: net(top.items[2], 'Gs (item 2)') };
}

function networkTree(obj: TfNetworkObject, path: string, trees: Map<TfNetworkObject, TfNetwork>, open: Set<TfNetworkObject>): TfNetwork {
  const done = trees.get(obj);
  if (done) return done;
  if (open.has(obj)) throw new CheckpointError(`corrupt TensorFlow pickle: network ${path} contains itself`);
  if (open.size > MAX_DEPTH) throw new CheckpointError(`corrupt TensorFlow pickle: networks nested more than ${MAX_DEPTH} deep`);
  open.add(obj);
  const s = obj.state;
  if (!(s instanceof Map)) throw new CheckpointError(`corrupt TensorFlow pickle: network ${path} has ${describeValue(s)} as its state`);
  const field = <T>(key: string, check: (v: unknown) => v is T, want: string): T => {
    const v = s.get(key);
    if (!check(v)) throw new CheckpointError(`corrupt TensorFlow pickle: network ${path} has ${v === undefined ? 'no' : describeValue(v) + ' as its'} '${key}'${v === undefined ? '' : `, not ${want}`}`);
    return v;
  };
  const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  const isString = (v: unknown): v is string => typeof v === 'string';
  const isMap = (v: unknown): v is Map<unknown, unknown> => v instanceof Map;
  const tree: TfNetwork = {
    module: obj.module,
    version: field('version', isNumber, 'an integer'),
    name: field('name', isString, 'a string'),
    buildFuncName: field('build_func_name', isString, 'a string'),
    staticKwargs: kwargsOf(field('static_kwargs', isMap, 'a dict'), path),
    components: new Map(),
    variables: variablesOf(s.get('variables'), path),
  };
  const comps = s.get('components') ?? new Map();
  if (!(comps instanceof Map)) throw new CheckpointError(`corrupt TensorFlow pickle: network ${path} has ${describeValue(comps)} as its components, not a dict`);
  for (const [k, v] of comps) {
    if (typeof k !== 'string') throw new CheckpointError(`corrupt TensorFlow pickle: network ${path} has a component named ${describeValue(k)}`);
    if (!(v instanceof TfNetworkObject)) throw new CheckpointError(`corrupt TensorFlow pickle: component '${k}' of ${path} is ${describeValue(v)}, not a network`);
    tree.components.set(k, networkTree(v, `${path}/${k}`, trees, open));
  }
  open.delete(obj);
  trees.set(obj, tree);
  return tree;
}

function kwargsOf(m: Map<unknown, unknown>, path: string): Record<string, unknown> {
  const v = toPlain(m);
  if (v instanceof Map) throw new CheckpointError(`corrupt TensorFlow pickle: the static_kwargs of ${path} have non-string keys`);
  return v as Record<string, unknown>;
}

// state['variables']: a list of (name, ndarray) pairs, names unique.
function variablesOf(v: unknown, path: string): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  if (!Array.isArray(v) && !(v instanceof PyTuple)) throw new CheckpointError(`corrupt TensorFlow pickle: network ${path} has ${describeValue(v)} as its variables, not a list`);
  for (const pair of v instanceof PyTuple ? v.items : v) {
    const items = pair instanceof PyTuple ? pair.items : Array.isArray(pair) ? pair : null;
    if (!items || items.length !== 2 || typeof items[0] !== 'string') throw new CheckpointError(`corrupt TensorFlow pickle: a variable of ${path} is ${describeValue(pair)}, not a (name, array) pair`);
    const [name, value] = items as [string, unknown];
    if (!isTensorData(value)) throw new CheckpointError(`corrupt TensorFlow pickle: variable '${name}' of ${path} is ${describeValue(value)}, not a NumPy array`);
    if (out.has(name)) throw new CheckpointError(`corrupt TensorFlow pickle: network ${path} has two variables named '${name}'`);
    out.set(name, value);
  }
  return out;
}

/**
 * Every variable of a network and its sub-networks, named as legacy.py's `_collect_tf_params` names them
 * (a component's variables prefixed by its name and '/', e.g. 'synthesis/4x4/Conv/weight').
 * @example collectTfParams(snap.Gs).get('mapping/Dense0/weight')!.shape // [512, 512]
 */
export function collectTfParams(net: TfNetwork): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  const visit = (n: TfNetwork, prefix: string): void => {
    for (const [k, t] of n.variables) {
      if (out.has(prefix + k)) throw new CheckpointError(`corrupt TensorFlow pickle: two variables are named '${prefix + k}'`);
      out.set(prefix + k, t);
    }
    for (const [k, c] of n.components) visit(c, `${prefix}${k}/`);
  };
  visit(net, '');
  return out;
}
