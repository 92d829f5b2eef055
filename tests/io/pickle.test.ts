import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError, UnsafeCheckpointError } from '../../src/errors.js';
import { PyTuple, toPlain, unpickle, unpickleAt } from '../../src/io/pickle.js';
import { PyDict, type GlobalTable } from '../../src/io/pickle-values.js';
import { torchGlobalTable } from '../../src/io/torch-globals.js';
import { PickleBuilder, hexBytes, testData, throwsClear } from './helpers.js';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

// set / frozenset / bytearray / _codecs.encode: what CPython writes for those types at protocols 0-3.
const builtins: GlobalTable = torchGlobalTable({});

describe('pickle VM: values written by CPython, protocols 0-5', () => {
  const data = testData<Record<string, string>>('python-pickles.json');
  for (let p = 0; p <= 5; p++) {
    it(`protocol ${p}: every value type maps as documented`, () => {
      const v = unpickle(hexBytes(data[`protocol${p}`]!), { globals: builtins });
      assert.ok(v instanceof Map);
      const a = v.get('a') as unknown[];
      assert.equal(a[0], 1);
      assert.equal(a[1], 2.5);
      assert.equal(a[2], 'x');
      assert.deepEqual([...(a[3] as Uint8Array)], [0x62, 0x79]);
      assert.equal(a[4], null);
      assert.equal(a[5], true);
      assert.equal(a[6], false);
      assert.ok(a[7] instanceof PyTuple);
      assert.deepEqual((a[7] as PyTuple).items, [1, 2]);
      assert.equal(a[8], 2n ** 70n);
      assert.equal(a[9], -(2n ** 70n));
      assert.deepEqual(a.slice(10, 14), [-1, 255, 65536, -(2 ** 31)]);
      assert.equal(a[14], 1e300);
      assert.ok(Object.is(a[15], -0));
      assert.deepEqual(v.get('set'), new Set([7]));
      assert.deepEqual(v.get('fs'), new Set([3]));
      assert.deepEqual([...(v.get('ba') as Uint8Array)], [0x71]);
      assert.equal(v.get('u'), 'caf\u00e9 \u20ac \u{1F600}');
      assert.equal(v.get(3), 'intkey');
      assert.deepEqual((v.get('t3') as PyTuple).items, [1, 2, 3]);
      assert.equal(v.get('big'), 'y'.repeat(256));
      assert.deepEqual(v.get('bb'), new Uint8Array(256).fill(0x7a));
      assert.deepEqual(toPlain(v.get('nested')), { k: [1], e: [] });
    });
  }

  it('memo keeps shared objects shared and recursive objects recursive', () => {
    const shared = unpickle(hexBytes(data['shared']!)) as unknown[][];
    assert.equal(shared[0], shared[1]);
    const rec = unpickle(hexBytes(data['recursive']!)) as unknown[];
    assert.equal(rec[0], rec);
    const plain = toPlain(rec) as unknown[];
    assert.equal(plain[0], plain);
  });

  it('protocol 0 STRING with escapes and INT booleans', () => {
    assert.equal(unpickle(ascii("S'ab\\n\\x41\\101'\np0\n.")), 'ab\nAA');
    assert.equal(unpickle(ascii('I01\n.')), true);
    assert.equal(unpickle(ascii('I-7\n.')), -7);
    assert.equal(unpickle(ascii('L12345678901234567890L\n.')), 12345678901234567890n);
    assert.equal(unpickle(ascii('Finf\n.')), Infinity);
  });

  it('toPlain turns string-keyed dicts into objects and keeps other keys in Maps', () => {
    const d = new PyDict([['__proto__', 1], ['x', new PyTuple([2])]]);
    const plain = toPlain(d) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(plain), Object.prototype);
    assert.deepEqual(Object.keys(plain), ['__proto__', 'x']);
    assert.deepEqual(plain['x'], [2]);
    assert.ok(toPlain(new Map([[1, 'a']])) instanceof Map);
  });

  it('APPENDS of 300000 items in one batch', () => {
    const b = new PickleBuilder().proto(2).emptyList().mark();
    for (let i = 0; i < 300_000; i++) b.raw(0x4b, i & 0xff);
    const list = unpickle(b.appends().stop().bytes()) as number[];
    assert.equal(list.length, 300_000);
    assert.equal(list[299_999], 299_999 & 0xff);
  });

  it('deep nesting unpickles without recursion, and toPlain refuses it clearly', () => {
    const b = new PickleBuilder().proto(2);
    for (let i = 0; i < 20_000; i++) b.emptyList();
    for (let i = 1; i < 20_000; i++) b.raw(0x61);
    const deep = unpickle(b.stop().bytes()) as unknown[];
    assert.equal(Array.isArray(deep[0]), true);
    throwsClear(() => toPlain(deep), CheckpointError, /nested more than 1000 levels deep/);
  });

  it('unpickleAt reads consecutive pickles', () => {
    const two = new PickleBuilder().proto(2).int(5).stop().proto(2).str('b').stop().bytes();
    const first = unpickleAt(two, 0);
    assert.equal(first.value, 5);
    assert.equal(unpickleAt(two, first.end).value, 'b');
  });
});

describe('pickle VM: refuses globals that are not allow-listed, before running anything', () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['protocol 2 GLOBAL os.system', hexBytes('8002636f730a73797374656d0a71005802000000696471018571025271032e'), 'os.system'],
    ['protocol 4 STACK_GLOBAL os.system', new PickleBuilder().proto(4).stackGlobal('os', 'system').shortStr('echo').tuple1().reduce().stop().bytes(), 'os.system'],
    ['protocol 3 builtins.eval', new PickleBuilder().proto(3).global('builtins', 'eval').str('1+1').tuple1().reduce().stop().bytes(), 'builtins.eval'],
    ['protocol 0 posix.system', ascii("cposix\nsystem\n(S'ls'\ntR."), 'posix.system'],
    ['INST subprocess.Popen', ascii("(S'ls'\nisubprocess\nPopen\n."), 'subprocess.Popen'],
    ['OBJ builtins.getattr', new PickleBuilder().proto(2).mark().global('builtins', 'getattr').none().str('x').raw(0x6f).stop().bytes(), 'builtins.getattr'],
    ['py2 __builtin__.eval maps to builtins.eval', ascii("c__builtin__\neval\n(S'1'\ntR."), 'builtins.eval'],
  ];
  for (const [name, bytes, global] of cases) {
    it(name, () => {
      throwsClear(() => unpickle(bytes, { globals: builtins }), UnsafeCheckpointError,
        new RegExp(`^checkpoint refused: it references the Python global '${global.replace('.', '\\.')}', which is not on stylelab's allow-list \\(nothing was executed\\)$`));
    });
  }

  it('no allow-listed handler after the refused global is called', () => {
    let calls = 0;
    const spy: GlobalTable = new Map([['safe.spy', () => ++calls]]);
    const bytes = new PickleBuilder().proto(2).global('os', 'system').str('x').tuple1().reduce().global('safe', 'spy').emptyTuple().reduce().stop().bytes();
    assert.throws(() => unpickle(bytes, { globals: spy }), UnsafeCheckpointError);
    assert.equal(calls, 0);
  });

  it('EXT1 / EXT2 / EXT4 are refused', () => {
    throwsClear(() => unpickle(hexBytes('8002820129852e')), UnsafeCheckpointError, /extension registry/);
    throwsClear(() => unpickle(hexBytes('800283010029852e')), UnsafeCheckpointError, /extension registry/);
  });

  it('a global name with control characters is quoted safely on one line', () => {
    throwsClear(() => unpickle(new PickleBuilder().proto(4).stackGlobal('os\nx', 'sys\x00tem').stop().bytes()), UnsafeCheckpointError, /'os\\nx\.sys\\x00tem'/);
  });
});

describe('pickle VM: corrupt and hostile input gives one-line CheckpointErrors', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty input', new Uint8Array(0), /^truncated pickle: data ended at byte 0 without a STOP opcode$/],
    ['unknown opcode', hexBytes('8002ff'), /^not a pickle: unknown opcode 0xff at byte 2$/],
    ['missing STOP', hexBytes('80024e'), /^truncated pickle: data ended at byte 3/],
    ['truncated BINUNICODE', hexBytes('800258100000006162'), /^truncated pickle: BINUNICODE at byte 2 needs 16 bytes but only 2 remain$/],
    ['absurd BINBYTES8 length', new PickleBuilder().proto(4).raw(0x8e).u64(2n ** 63n).stop().bytes(), /^truncated pickle: BINBYTES8 at byte 2 claims 9223372036854775808 bytes but only 1 remain$/],
    ['absurd FRAME length', new PickleBuilder().proto(4).raw(0x95).u64(2n ** 40n).none().stop().bytes(), /^truncated pickle: FRAME at byte 2 claims/],
    ['absurd BINUNICODE length', new PickleBuilder().proto(2).raw(0x58).u32(0xffffffff).stop().bytes(), /^truncated pickle: BINUNICODE at byte 2 needs 4294967295 bytes/],
    ['absurd LONG4 length', new PickleBuilder().proto(2).raw(0x8b).u32(0x7fffffff).stop().bytes(), /^truncated pickle: LONG4/],
    ['negative BINSTRING length', new PickleBuilder().proto(1).raw(0x54).u32(0xffffffff).stop().bytes(), /negative length -1/],
    ['STOP on an empty stack', hexBytes('80022e'), /^corrupt pickle: stack underflow \(STOP at byte 2\)$/],
    ['TUPLE1 on an empty stack', hexBytes('8002852e'), /stack underflow \(TUPLE1 at byte 2\)/],
    ['BINGET of an unset memo slot', hexBytes('800268052e'), /memo misuse: slot 5 was never stored \(BINGET at byte 2\)/],
    ['PUT with nothing on the stack', hexBytes('800271002e'), /stack underflow \(BINPUT/],
    ['POP_MARK without MARK', hexBytes('8002312e'), /no MARK to pop back to/],
    ['odd SETITEMS', hexBytes('80027d284e752e'), /odd number of items for a dict/],
    ['APPEND to a non-list', hexBytes('80024e4e612e'), /APPEND needs a list, found None/],
    ['REDUCE of a non-callable', hexBytes('80024e29522e'), /REDUCE calls None, which is not callable/],
    ['REDUCE with non-tuple args', hexBytes('80024e4e522e'), /REDUCE needs an argument tuple/],
    ['BUILD with state on a list', hexBytes('80025d4b01622e'), /BUILD on a list of 0, which takes no state/],
    ['protocol 6', hexBytes('80064e2e'), /unsupported pickle protocol 6/],
    ['NEXT_BUFFER', hexBytes('8005972e'), /out-of-band buffers/],
    ['persistent id without a loader', hexBytes('80024e512e'), /persistent id found/],
    ['malformed INT line', ascii('Iabc\n.'), /malformed integer 'abc'/],
    ['INT line without newline', ascii('I12'), /INT at byte 0 has no end of line/],
    ['STACK_GLOBAL of non-strings', hexBytes('80044b014b02932e'), /STACK_GLOBAL needs two strings/],
  ];
  for (const [name, bytes, re] of cases) {
    it(name, () => throwsClear(() => unpickle(bytes), CheckpointError, re));
  }

  it('BUILD with None state is a no-op', () => {
    assert.equal(unpickle(hexBytes('80024b014e622e')), 1);
  });

  it('a handler that throws a plain Error becomes a CheckpointError naming the global', () => {
    const bad: GlobalTable = new Map([['m.f', () => { throw new TypeError('boom'); }]]);
    throwsClear(() => unpickle(new PickleBuilder().proto(2).global('m', 'f').emptyTuple().reduce().stop().bytes(), { globals: bad }), CheckpointError,
      /m\.f got unexpected arguments \(boom\) \(REDUCE at byte \d+\)/);
  });

  it('random mutations of real pickles never escape as anything but CheckpointError', () => {
    const data = testData<Record<string, string>>('python-pickles.json');
    let state = 12345;
    const rand = (n: number): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) % n);
    for (const key of ['protocol0', 'protocol2', 'protocol4', 'protocol5']) {
      const base = hexBytes(data[key]!);
      for (let trial = 0; trial < 400; trial++) {
        const b = base.slice(0, trial % 3 === 0 ? rand(base.length) : base.length);
        for (let k = 0; k < 1 + rand(4); k++) if (b.length) b[rand(b.length)] = rand(256);
        try {
          unpickle(b, { globals: builtins });
        } catch (e) {
          assert.ok(e instanceof CheckpointError, `${key} trial ${trial}: ${String(e)}`);
          assert.ok(!(e as Error).message.includes('\n'));
        }
      }
    }
  });
});
