// Plain TypeScript stand-ins for the Python values a pickle can hold, and the allow-list types.
//
// Mapping used by the pickle VM (src/io/pickle.ts):
//   None -> null, bool -> boolean, int -> number (bigint beyond +-2^53), float -> number,
//   str -> string, bytes / bytearray -> Uint8Array (a view into the input buffer),
//   list -> unknown[], tuple -> PyTuple (a class wrapping a frozen array), dict -> Map
//   (keys may be any value; tuple keys compare by identity), set / frozenset -> Set.
// Objects of allow-listed classes are whatever their handler returns.
import { CheckpointError } from '../errors.js';

/**
 * A Python tuple: a frozen array in a class, so tuples and lists stay distinguishable.
 * @example new PyTuple([1, 2]).items // [1, 2]
 */
export class PyTuple {
  /** The tuple's items, in order. */
  readonly items: readonly unknown[];
  constructor(items: unknown[]) {
    this.items = Object.freeze(items);
  }
  /** Number of items, like Python's len(). */
  get length(): number {
    return this.items.length;
  }
}

/**
 * Builds a plain value from the arguments of a call (REDUCE, NEWOBJ, NEWOBJ_EX, INST, OBJ).
 * `kwargs` is non-null only for NEWOBJ_EX. Handlers never run code from the pickle.
 */
export type GlobalHandler = (args: readonly unknown[], kwargs: Map<unknown, unknown> | null) => unknown;

/** An allow-listed global that is a value, not a callable (e.g. `torch.float32`, `numpy.ndarray`). */
export interface GlobalConstant {
  readonly constant: unknown;
}

/** The allow-list: `'module.name'` -> handler (callable) or constant. Anything absent is refused. */
export type GlobalTable = ReadonlyMap<string, GlobalHandler | GlobalConstant>;

/** Key of the method BUILD calls on values that accept pickled state (Python's __setstate__). */
export const SETSTATE: unique symbol = Symbol('stylelab.pickle.setstate');

/** A value that accepts BUILD: its handler gave it a SETSTATE method. */
export interface Buildable {
  [SETSTATE](state: unknown): void;
}

/**
 * A Python dict subclass instance (OrderedDict, EasyDict): its items are the Map's entries and
 * `attrs` keeps instance attributes set by BUILD (e.g. a state_dict's `_metadata`).
 * @example (loadTorchFile(bytes) as PyDict).attrs.get('_metadata')
 */
export class PyDict extends Map<unknown, unknown> implements Buildable {
  /** Instance attributes (Python's __dict__), usually empty. */
  readonly attrs = new Map<unknown, unknown>();

  /** BUILD state: the __dict__ as a dict, or a (dict, slots) pair. */
  [SETSTATE](state: unknown): void {
    const dict = state instanceof PyTuple ? state.items[0] : state;
    if (dict === null) return;
    if (!(dict instanceof Map)) throw new TypeError(`dict attributes must be a dict, got ${describeValue(dict)}`);
    for (const [k, v] of dict) this.attrs.set(k, v);
  }
}

/**
 * An allow-listed callable pushed by GLOBAL / STACK_GLOBAL, waiting for REDUCE or NEWOBJ.
 * @example new PyCallable('collections.OrderedDict', () => new PyDict()).handler([], null)
 */
export class PyCallable {
  constructor(
    readonly qualifiedName: string, // 'module.name' as written in the pickle
    readonly handler: GlobalHandler,
  ) {}
}

/**
 * True when `v` accepts BUILD state.
 * @example if (isBuildable(obj)) obj[SETSTATE](state);
 */
export function isBuildable(v: unknown): v is Buildable {
  return typeof v === 'object' && v !== null && typeof (v as Partial<Buildable>)[SETSTATE] === 'function';
}

/**
 * Merges allow-list tables; later tables win on duplicate names.
 * @example const table = mergeGlobalTables(torchTable, numpyTable);
 */
export function mergeGlobalTables(...tables: GlobalTable[]): GlobalTable {
  const out = new Map<string, GlobalHandler | GlobalConstant>();
  for (const t of tables) for (const [k, v] of t) out.set(k, v);
  return out;
}

/**
 * Converts unpickled data to plain JS: string-keyed Maps -> objects, tuples -> arrays, recursively.
 * Maps with a non-string key stay Maps (their values converted); typed arrays and class
 * instances (e.g. TensorData) pass through unchanged; cycles are preserved.
 * @example toPlain(new Map([['a', new PyTuple([1, 2])]])) // { a: [1, 2] }
 */
export function toPlain(value: unknown): unknown {
  return plainOf(value, new Map(), 0);
}

/** Deepest nesting toPlain follows; real checkpoints nest a few levels, hostile ones could overflow the stack. */
const MAX_DEPTH = 1000;

function plainOf(value: unknown, seen: Map<unknown, unknown>, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (depth > MAX_DEPTH) throw new CheckpointError(`corrupt checkpoint: values nested more than ${MAX_DEPTH} levels deep`);
  if (value instanceof PyTuple || Array.isArray(value)) {
    const items = value instanceof PyTuple ? value.items : value;
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of items) out.push(plainOf(item, seen, depth + 1));
    return out;
  }
  if (value instanceof Map) {
    if ([...value.keys()].every((k) => typeof k === 'string')) {
      const out: Record<string, unknown> = {};
      seen.set(value, out);
      // defineProperty so a '__proto__' key stays an own data property.
      for (const [k, v] of value) {
        Object.defineProperty(out, k as string, { value: plainOf(v, seen, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [k, v] of value) out.set(plainOf(k, seen, depth + 1), plainOf(v, seen, depth + 1));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    seen.set(value, out);
    for (const v of value) out.add(plainOf(v, seen, depth + 1));
    return out;
  }
  return value;
}

// ---- argument checks shared by the allow-list handlers ----

/**
 * The items of a tuple or list, or a CheckpointError naming `what`.
 * @example const [shape] = expectSequence(args[1], 'ndarray shape');
 */
export function expectSequence(v: unknown, what: string): readonly unknown[] {
  if (v instanceof PyTuple) return v.items;
  if (Array.isArray(v)) return v;
  throw new CheckpointError(`corrupt checkpoint: ${what} should be a tuple or list, got ${describeValue(v)}`);
}

/**
 * A non-negative safe integer, or a CheckpointError naming `what`.
 * @example const offset = expectIndex(args[1], 'storage offset');
 */
export function expectIndex(v: unknown, what: string): number {
  const n = typeof v === 'bigint' && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new CheckpointError(`corrupt checkpoint: ${what} should be a non-negative integer, got ${describeValue(v)}`);
  }
  return n;
}

/**
 * A string, or a CheckpointError naming `what`.
 * @example const key = expectString(pid[2], 'storage key');
 */
export function expectString(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new CheckpointError(`corrupt checkpoint: ${what} should be a string, got ${describeValue(v)}`);
  return v;
}

/**
 * A short human description of a value for error messages ("a tuple of 3", "the string 'cpu'").
 * @example describeValue(new Map()) // 'a dict'
 */
export function describeValue(v: unknown): string {
  if (v === null) return 'None';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `the string '${v.length > 40 ? v.slice(0, 40) + '...' : v}'`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `the value ${String(v)}`;
  if (v instanceof PyTuple) return `a tuple of ${v.length}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Map) return 'a dict';
  if (v instanceof Set) return 'a set';
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (v instanceof PyCallable) return `the callable ${v.qualifiedName}`;
  const name = (v as object).constructor?.name;
  return name ? `a ${name}` : 'an object';
}
