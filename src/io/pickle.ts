// A safe pickle reader (protocols 0-5) that never executes anything: every global the pickle
// names is looked up in a caller-given allow-list of TS handlers, and anything else is refused.
// Mirrors CPython's Lib/pickle.py `_Unpickler`; value mapping is documented in pickle-values.ts.
import { CheckpointError, StylelabError, UnsafeCheckpointError } from '../errors.js';
import {
  clip, decodeLongLE, decodeRawUnicodeEscape, decodeStringLiteral, latin1, parseFloatLine, parseIntLine, utf8,
} from './pickle-text.js';
import { type GlobalTable, PyCallable, PyTuple, SETSTATE, describeValue, isBuildable } from './pickle-values.js';

export { PyTuple, toPlain } from './pickle-values.js';
export type { GlobalTable, GlobalHandler, GlobalConstant } from './pickle-values.js';

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** Allow-list: 'module.name' -> handler or constant. Default: empty (any global is refused). */
  globals?: GlobalTable;
  /** Resolves persistent ids (PERSID / BINPERSID); without it they are an error. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Extra sentence appended to the refusal message of a global, e.g. a hint about the file kind. */
  refusalHint?: (qualifiedName: string) => string | undefined;
}

/** The value of one pickle and the byte just after its STOP opcode. */
export interface UnpickleResult {
  value: unknown;
  end: number;
}

/** Opcode byte -> name, for messages; codes absent here are "unknown opcode". */
const OPCODE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT',
  0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID',
  0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT',
  0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET',
  0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT',
  0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8',
  0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL',
  0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
});

/** Python 2 module names that Python 3 maps for protocols < 3 (subset of _compat_pickle). */
const PY2_MODULES: Readonly<Record<string, string>> = Object.freeze({ __builtin__: 'builtins', copy_reg: 'copyreg' });

/**
 * Unpickles one pickle starting at byte 0 and returns its value.
 * @example const obj = unpickle(bytes, { globals: new Map([['collections.OrderedDict', () => new Map()]]) });
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}): unknown {
  return unpickleAt(bytes, 0, options).value;
}

/**
 * Unpickles one pickle starting at byte `start`; returns its value and where it ended, so that
 * several pickles written one after another (legacy torch.save) can be read in turn.
 * @example const { value, end } = unpickleAt(bytes, 0);
 */
export function unpickleAt(bytes: Uint8Array, start: number, options: UnpickleOptions = {}): UnpickleResult {
  const machine = new Machine(bytes, start, options);
  try {
    return machine.run();
  } catch (e) {
    // Hostile input must never surface as a RangeError or TypeError: name where it happened instead.
    if (e instanceof StylelabError) throw e;
    throw new CheckpointError(`corrupt pickle: ${(e as Error).message} (${machine.where()})`);
  }
}

/** One run of the VM: its stack, mark stack and memo live only as long as this object. */
class Machine {
  private pos: number;
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();
  private proto = 0;
  private opAt = 0; // byte offset of the opcode being run
  private op = ''; // name of the opcode being run
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array, start: number, private readonly options: UnpickleOptions) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  run(): UnpickleResult {
    const bytes = this.bytes;
    for (;;) {
      if (this.pos >= bytes.length) {
        throw new CheckpointError(`truncated pickle: data ended at byte ${bytes.length} without a STOP opcode`);
      }
      this.opAt = this.pos;
      const code = bytes[this.pos++]!;
      const name = OPCODE_NAMES[code];
      if (name === undefined) {
        throw new CheckpointError(`not a pickle: unknown opcode 0x${code.toString(16).padStart(2, '0')} at byte ${this.opAt}`);
      }
      this.op = name;
      if (code === 0x2e) return { value: this.pop(), end: this.pos }; // STOP
      this.step(code);
    }
  }

  // Runs one opcode (all but STOP); cases follow the order of CPython's opcode table.
  private step(code: number): void {
    switch (code) {
      case 0x80: { // PROTO
        this.proto = this.u8();
        if (this.proto > 5) throw this.corrupt(`unsupported pickle protocol ${this.proto} (stylelab reads 0-5)`);
        return;
      }
      case 0x95: this.len64(); return; // FRAME: only announces a length; its opcodes are read as usual
      case 0x28: this.metastack.push(this.stack); this.stack = []; return; // MARK
      case 0x30: if (this.stack.length > 0) this.stack.pop(); else this.popMark(); return; // POP
      case 0x31: this.popMark(); return; // POP_MARK
      case 0x32: this.push(this.top()); return; // DUP
      case 0x4e: this.push(null); return; // NONE
      case 0x88: this.push(true); return; // NEWTRUE
      case 0x89: this.push(false); return; // NEWFALSE
      case 0x49: { // INT
        const line = this.line();
        this.push(line === '00' ? false : line === '01' ? true : parseIntLine(line, 'INT', this.opAt));
        return;
      }
      case 0x4a: this.push(this.view.getInt32(this.take(4), true)); return; // BININT
      case 0x4b: this.push(this.u8()); return; // BININT1
      case 0x4d: this.push(this.view.getUint16(this.take(2), true)); return; // BININT2
      case 0x4c: this.push(parseIntLine(this.line(), 'LONG', this.opAt)); return; // LONG
      case 0x8a: this.push(decodeLongLE(this.slice(this.u8()))); return; // LONG1
      case 0x8b: this.push(decodeLongLE(this.slice(this.len32(true)))); return; // LONG4
      case 0x46: this.push(parseFloatLine(this.line(), this.opAt)); return; // FLOAT
      case 0x47: this.push(this.view.getFloat64(this.take(8), false)); return; // BINFLOAT (big-endian)
      case 0x53: this.push(latin1(decodeStringLiteral(this.line(), this.opAt))); return; // STRING
      case 0x54: this.push(latin1(this.slice(this.len32(true)))); return; // BINSTRING
      case 0x55: this.push(latin1(this.slice(this.u8()))); return; // SHORT_BINSTRING
      case 0x42: this.push(this.slice(this.len32(false))); return; // BINBYTES
      case 0x43: this.push(this.slice(this.u8())); return; // SHORT_BINBYTES
      case 0x8e: this.push(this.slice(this.len64())); return; // BINBYTES8
      case 0x96: this.push(this.slice(this.len64()).slice()); return; // BYTEARRAY8 (a copy: bytearrays are mutable)
      case 0x56: this.push(decodeRawUnicodeEscape(this.rawLine())); return; // UNICODE
      case 0x58: this.push(utf8(this.slice(this.len32(false)))); return; // BINUNICODE
      case 0x8c: this.push(utf8(this.slice(this.u8()))); return; // SHORT_BINUNICODE
      case 0x8d: this.push(utf8(this.slice(this.len64()))); return; // BINUNICODE8
      case 0x97: case 0x98: throw this.corrupt('out-of-band buffers (pickle protocol 5 NEXT_BUFFER / READONLY_BUFFER) are not supported');
      case 0x29: this.push(new PyTuple([])); return; // EMPTY_TUPLE
      case 0x74: this.push(new PyTuple(this.popMark())); return; // TUPLE
      case 0x85: this.push(new PyTuple([this.pop()])); return; // TUPLE1
      case 0x86: { const b = this.pop(); const a = this.pop(); this.push(new PyTuple([a, b])); return; } // TUPLE2
      case 0x87: { const c = this.pop(); const b = this.pop(); const a = this.pop(); this.push(new PyTuple([a, b, c])); return; } // TUPLE3
      case 0x5d: this.push([]); return; // EMPTY_LIST
      case 0x6c: this.push(this.popMark()); return; // LIST
      case 0x7d: this.push(new Map()); return; // EMPTY_DICT
      case 0x64: this.push(this.fillDict(new Map(), this.popMark())); return; // DICT
      case 0x8f: this.push(new Set()); return; // EMPTY_SET
      case 0x91: this.push(new Set(this.popMark())); return; // FROZENSET
      case 0x61: { const v = this.pop(); this.list(this.top()).push(v); return; } // APPEND
      case 0x65: { const items = this.popMark(); const list = this.list(this.top()); for (const v of items) list.push(v); return; } // APPENDS
      case 0x73: { const v = this.pop(); const k = this.pop(); this.dict(this.top()).set(k, v); return; } // SETITEM
      case 0x75: { const items = this.popMark(); this.fillDict(this.dict(this.top()), items); return; } // SETITEMS
      case 0x90: { // ADDITEMS
        const items = this.popMark();
        const set = this.top();
        if (!(set instanceof Set)) throw this.corrupt(`ADDITEMS needs a set, found ${describeValue(set)}`);
        for (const v of items) set.add(v);
        return;
      }
      case 0x67: this.memoGet(Number(parseIntLine(this.line(), 'GET', this.opAt))); return; // GET
      case 0x68: this.memoGet(this.u8()); return; // BINGET
      case 0x6a: this.memoGet(this.view.getUint32(this.take(4), true)); return; // LONG_BINGET
      case 0x70: this.memoPut(Number(parseIntLine(this.line(), 'PUT', this.opAt))); return; // PUT
      case 0x71: this.memoPut(this.u8()); return; // BINPUT
      case 0x72: this.memoPut(this.view.getUint32(this.take(4), true)); return; // LONG_BINPUT
      case 0x94: this.memoPut(this.memo.size); return; // MEMOIZE
      case 0x63: { const module = this.line(); this.push(this.resolve(module, this.line())); return; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw this.corrupt('STACK_GLOBAL needs two strings');
        this.push(this.resolve(module, name));
        return;
      }
      case 0x69: { // INST
        const module = this.line();
        const cls = this.resolve(module, this.line());
        this.push(this.call(cls, this.popMark(), null));
        return;
      }
      case 0x6f: { // OBJ
        const items = this.popMark();
        if (items.length === 0) throw this.corrupt('OBJ needs a class after MARK');
        this.push(this.call(items[0], items.slice(1), null));
        return;
      }
      case 0x52: { const args = this.tupleItems(this.pop()); this.push(this.call(this.pop(), args, null)); return; } // REDUCE
      case 0x81: { const args = this.tupleItems(this.pop()); this.push(this.call(this.pop(), args, null)); return; } // NEWOBJ
      case 0x92: { // NEWOBJ_EX
        const kwargs = this.pop();
        const args = this.tupleItems(this.pop());
        this.push(this.call(this.pop(), args, this.dict(kwargs)));
        return;
      }
      case 0x62: this.build(this.pop()); return; // BUILD
      case 0x50: this.push(this.persistent(this.line())); return; // PERSID
      case 0x51: this.push(this.persistent(this.pop())); return; // BINPERSID
      case 0x82: case 0x83: case 0x84: // EXT1 / EXT2 / EXT4
        throw new UnsafeCheckpointError(`checkpoint refused: it uses the extension registry (${this.op} at byte ${this.opAt}), which stylelab does not support (nothing was executed)`);
      default:
        throw new CheckpointError(`not a pickle: unknown opcode 0x${code.toString(16)} at byte ${this.opAt}`);
    }
  }

  // ---- byte reading (every read is bounds-checked, so hostile lengths become clear errors) ----

  private need(n: number): void {
    const left = this.bytes.length - this.pos;
    if (n > left) {
      throw new CheckpointError(`truncated pickle: ${this.op} at byte ${this.opAt} needs ${n} bytes but only ${left} remain`);
    }
  }

  private take(n: number): number {
    this.need(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private u8(): number {
    return this.bytes[this.take(1)]!;
  }

  private slice(n: number): Uint8Array {
    const at = this.take(n);
    return this.bytes.subarray(at, at + n);
  }

  private len32(signed: boolean): number {
    const n = signed ? this.view.getInt32(this.take(4), true) : this.view.getUint32(this.take(4), true);
    if (n < 0) throw this.corrupt(`negative length ${n}`);
    return n;
  }

  private len64(): number {
    const n = this.view.getBigUint64(this.take(8), true);
    const left = this.bytes.length - this.pos;
    if (n > BigInt(left)) {
      throw new CheckpointError(`truncated pickle: ${this.op} at byte ${this.opAt} claims ${n} bytes but only ${left} remain`);
    }
    return Number(n);
  }

  private rawLine(): Uint8Array {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new CheckpointError(`truncated pickle: ${this.op} at byte ${this.opAt} has no end of line`);
    const out = this.bytes.subarray(this.pos, end);
    this.pos = end + 1;
    return out;
  }

  private line(): string {
    return utf8(this.rawLine()).replace(/\r$/, '');
  }

  // ---- stack, marks and memo ----

  // A method, not `this.stack.push(...)`: arguments that pop a MARK replace `this.stack` first.
  private push(v: unknown): void {
    this.stack.push(v);
  }

  private pop(): unknown {
    if (this.stack.length === 0) throw this.corrupt('stack underflow');
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length === 0) throw this.corrupt('stack underflow');
    return this.stack[this.stack.length - 1];
  }

  private popMark(): unknown[] {
    const items = this.stack;
    const outer = this.metastack.pop();
    if (outer === undefined) throw this.corrupt('no MARK to pop back to');
    this.stack = outer;
    return items;
  }

  private memoGet(index: number): void {
    if (!this.memo.has(index)) throw this.corrupt(`memo misuse: slot ${index} was never stored`);
    this.push(this.memo.get(index));
  }

  private memoPut(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0) throw this.corrupt(`memo misuse: invalid slot ${index}`);
    this.memo.set(index, this.top());
  }

  // ---- containers ----

  private list(v: unknown): unknown[] {
    if (!Array.isArray(v)) throw this.corrupt(`${this.op} needs a list, found ${describeValue(v)}`);
    return v;
  }

  private dict(v: unknown): Map<unknown, unknown> {
    if (!(v instanceof Map)) throw this.corrupt(`${this.op} needs a dict, found ${describeValue(v)}`);
    return v;
  }

  private fillDict(d: Map<unknown, unknown>, items: unknown[]): Map<unknown, unknown> {
    if (items.length % 2 !== 0) throw this.corrupt('odd number of items for a dict');
    for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
    return d;
  }

  private tupleItems(v: unknown): unknown[] {
    if (!(v instanceof PyTuple)) throw this.corrupt(`${this.op} needs an argument tuple, found ${describeValue(v)}`);
    return [...v.items];
  }

  // ---- globals, calls, state, persistent ids: the only places objects are made ----

  private resolve(module: string, name: string): unknown {
    const mod = this.proto < 3 && Object.hasOwn(PY2_MODULES, module) ? PY2_MODULES[module]! : module;
    const qualified = `${mod}.${name}`;
    const entry = this.options.globals?.get(qualified);
    if (entry === undefined) {
      const hint = this.options.refusalHint?.(qualified);
      throw new UnsafeCheckpointError(
        `checkpoint refused: it references the Python global '${clip(qualified, 120)}', which is not on stylelab's allow-list (nothing was executed)` +
          (hint ? `; ${hint}` : ''),
      );
    }
    return typeof entry === 'function' ? new PyCallable(qualified, entry) : entry.constant;
  }

  private call(callable: unknown, args: unknown[], kwargs: Map<unknown, unknown> | null): unknown {
    if (!(callable instanceof PyCallable)) throw this.corrupt(`${this.op} calls ${describeValue(callable)}, which is not callable`);
    try {
      return callable.handler(args, kwargs);
    } catch (e) {
      if (e instanceof StylelabError) throw e;
      throw this.corrupt(`${callable.qualifiedName} got unexpected arguments (${(e as Error).message})`);
    }
  }

  private build(state: unknown): void {
    const obj = this.top();
    if (isBuildable(obj)) {
      try {
        obj[SETSTATE](state);
      } catch (e) {
        if (e instanceof StylelabError) throw e;
        throw this.corrupt(`bad state for ${describeValue(obj)} (${(e as Error).message})`);
      }
    } else if (state !== null) {
      throw this.corrupt(`BUILD on ${describeValue(obj)}, which takes no state`);
    }
  }

  private persistent(pid: unknown): unknown {
    const load = this.options.persistentLoad;
    if (!load) throw this.corrupt('persistent id found, but this kind of file has no persistent storage');
    return load(pid);
  }

  /** The opcode being run and its byte offset, for messages. */
  where(): string {
    return `${this.op} at byte ${this.opAt}`;
  }

  private corrupt(what: string): CheckpointError {
    return new CheckpointError(`corrupt pickle: ${what} (${this.op} at byte ${this.opAt})`);
  }
}
