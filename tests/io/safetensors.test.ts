import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError, InputError } from '../../src/errors.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { type TensorData, toFloat32 } from '../../src/io/tensor.js';
import { PickleBuilder, concatBytes, hexBytes, testData, throwsClear } from './helpers.js';

/** A safetensors file with the given header object (or raw header text) and data bytes. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), claimedLength?: bigint): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  return concatBytes(new PickleBuilder().u64(claimedLength ?? BigInt(text.length)).bytes(), text, data);
}

const f32 = (n: number): { dtype: string; shape: number[]; data_offsets: [number, number] } => ({ dtype: 'F32', shape: [n], data_offsets: [0, 4 * n] });

describe('safetensors', () => {
  it('reads a file written by the official safetensors library', () => {
    const { official } = testData<{ official: string }>('safetensors-samples.json');
    const { tensors, metadata } = readSafetensors(hexBytes(official));
    assert.deepEqual(metadata, { format: 'np', note: 'x' });
    assert.deepEqual([...tensors.keys()], ['idx', 'w', 'h', 'm']);
    assert.deepEqual([...tensors.get('w')!.data], [1, 2, 3, 4]);
    assert.deepEqual(tensors.get('w')!.shape, [2, 2]);
    assert.deepEqual([...tensors.get('idx')!.data], [-1n, 2n ** 40n]);
    assert.deepEqual([...toFloat32(tensors.get('h')!)], [1, -2]);
    assert.deepEqual([tensors.get('m')!.dtype, [...tensors.get('m')!.data]], ['bool', [1, 0]]);
  });

  it('round-trips every dtype, shapes and metadata', () => {
    const t = new Map<string, TensorData>([
      ['a.weight', { dtype: 'float32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
      ['b', { dtype: 'float64', shape: [], data: new Float64Array([Math.PI]) }],
      ['c', { dtype: 'float16', shape: [1], data: new Uint16Array([0x3c00]) }],
      ['d', { dtype: 'bfloat16', shape: [1], data: new Uint16Array([0x3f80]) }],
      ['e', { dtype: 'int64', shape: [1], data: new BigInt64Array([-(2n ** 62n)]) }],
      ['f', { dtype: 'int32', shape: [2], data: new Int32Array([-1, 7]) }],
      ['g', { dtype: 'int16', shape: [1], data: new Int16Array([-300]) }],
      ['h', { dtype: 'int8', shape: [1], data: new Int8Array([-3]) }],
      ['i', { dtype: 'uint8', shape: [0], data: new Uint8Array(0) }],
      ['j', { dtype: 'bool', shape: [2], data: new Uint8Array([1, 0]) }],
    ]);
    const bytes = writeSafetensors(t, { arch: 'stylegan2' });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(headerLen % 8, 0);
    const back = readSafetensors(bytes);
    assert.deepEqual(back.metadata, { arch: 'stylegan2' });
    assert.deepEqual([...back.tensors.keys()], [...t.keys()]);
    for (const [k, v] of t) assert.deepEqual(back.tensors.get(k), v, k);
  });

  it('refuses to write what the format cannot hold', () => {
    assert.throws(() => writeSafetensors(new Map([['__metadata__', { dtype: 'float32', shape: [0], data: new Float32Array(0) }]])), InputError);
    assert.throws(() => writeSafetensors(new Map([['x', { dtype: 'float32', shape: [2], data: new Float32Array(3) }]])), InputError);
  });

  it('hostile headers give clear CheckpointErrors', () => {
    const data8 = new Uint8Array(8);
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['too short', new Uint8Array(5), /^truncated safetensors file: 5 bytes/],
      ['huge claimed header length', file({}, data8, 2n ** 63n), /^truncated or corrupt safetensors file: header claims 9223372036854775808 bytes but only 10 follow$/],
      ['header longer than the file', file({}, data8, 100n), /header claims 100 bytes but only 10 follow/],
      ['not JSON', file('{"a":', data8), /header is not valid JSON/],
      ['not an object', file('[1,2]'), /header is not a JSON object/],
      ['offsets out of range', file({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 1_000_000_000] } }, data8), /tensor 'w' has data_offsets \[0, 1000000000\] outside the 8 data bytes/],
      ['end before begin', file({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, data8), /outside the 8 data bytes/],
      ['negative offset', file({ w: { dtype: 'F32', shape: [2], data_offsets: [-8, 0] } }, data8), /invalid data_offsets/],
      ['fractional offset', file({ w: { dtype: 'F32', shape: [2], data_offsets: [0.5, 8.5] } }, data8), /invalid data_offsets/],
      ['length does not match shape', file({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data8), /has 8 data bytes but shape \[3\] of F32 needs 12/],
      ['huge shape', file({ w: { dtype: 'F32', shape: [2 ** 40, 2 ** 20], data_offsets: [0, 8] } }, data8), /needs 4611686018427388000/],
      ['overlap', file({ a: f32(2), b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data8), /tensors 'a' and 'b' overlap/],
      ['bad dtype', file({ w: { dtype: 'F8', shape: [2], data_offsets: [0, 8] } }, data8), /unsupported dtype "F8"/],
      ['bad shape', file({ w: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data8), /invalid shape/],
      ['metadata not strings', file({ __metadata__: { a: 1 } }), /__metadata__ value 'a' is not a string/],
      ['description not an object', file({ w: 3 }), /tensor 'w' has no description/],
    ];
    for (const [name, bytes, re] of cases) {
      assert.doesNotThrow(() => {
        throwsClear(() => readSafetensors(bytes), CheckpointError, re);
      }, name);
    }
  });

  it('a tensor named __proto__ stays an ordinary key', () => {
    const evil = file('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4));
    const back = readSafetensors(evil);
    assert.deepEqual([...back.tensors.keys()], ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['dtype'], undefined);
  });
});
