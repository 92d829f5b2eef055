import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { CheckpointError, InputError } from '../../src/errors.js';
import { readNpy, readNpz, writeNpy } from '../../src/io/npy.js';
import { toFloat32 } from '../../src/io/tensor.js';
import { fixture } from '../fixtures.js';
import { concatBytes, hexBytes, testData, throwsClear } from './helpers.js';

// Files written by numpy.save at test-authoring time.
const samples = testData<Record<string, string>>('npy-samples.json');
const sample = (k: string): Uint8Array => hexBytes(samples[k]!);

/** A .npy file with the given format version and header text (padded to 64 bytes as numpy does). */
function npyWith(major: number, header: string, data: Uint8Array): Uint8Array {
  const lenBytes = major === 1 ? 2 : 4;
  const text = new TextEncoder().encode(header);
  const padded = Math.ceil((6 + 2 + lenBytes + text.length + 1) / 64) * 64 - (6 + 2 + lenBytes);
  const h = new Uint8Array(padded).fill(0x20);
  h.set(text);
  h[padded - 1] = 0x0a;
  const pre = new Uint8Array(8 + lenBytes);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(pre.buffer);
  if (major === 1) dv.setUint16(8, padded, true);
  else dv.setUint32(8, padded, true);
  return concatBytes(pre, h, data);
}

describe('.npy', () => {
  it('reads the reference fixtures', () => {
    const z = readNpy(readFileSync(fixture('stylegan2-tiny', 'z_seed0.npy')));
    assert.equal(z.dtype, 'float32');
    assert.deepEqual(z.shape, [1, 64]);
    assert.equal(z.data[0], Math.fround(1.764052345967664));
    const u8 = readNpy(readFileSync(fixture('stylegan2-tiny', 'u8_seed0_psi1.0_const.npy')));
    assert.equal(u8.dtype, 'uint8');
    assert.deepEqual(u8.shape, [1, 32, 32, 3]);
  });

  it('reads every supported dtype, Fortran order and big-endian data', () => {
    assert.deepEqual([...readNpy(sample('f32_1x3')).data], [1, 2, 3]);
    const u8 = readNpy(sample('u8_2'));
    assert.deepEqual([u8.dtype, u8.shape, [...u8.data]], ['uint8', [2], [7, 250]]);
    const s = readNpy(sample('scalar_f8'));
    assert.deepEqual([s.dtype, s.shape, [...s.data]], ['float64', [], [2.5]]);
    const f = readNpy(sample('fortran_i4_2x3'));
    assert.deepEqual([f.dtype, f.shape, [...f.data]], ['int32', [2, 3], [0, 1, 2, 3, 4, 5]]);
    assert.deepEqual([...readNpy(sample('be_f4_3')).data], [1.5, -2, 3]);
    assert.deepEqual([...toFloat32(readNpy(sample('f2_3')))], [1, -2, 65504]);
    assert.deepEqual([...readNpy(sample('i8_2')).data], [-5n, 2n ** 40n]);
    const b = readNpy(sample('b1_3'));
    assert.deepEqual([b.dtype, [...b.data]], ['bool', [1, 0, 1]]);
  });

  it('reads format versions 2 and 3 headers', () => {
    const data = new Uint8Array(new Float32Array([4, 5]).buffer);
    assert.deepEqual([...readNpy(npyWith(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data)).data], [4, 5]);
    assert.deepEqual([...readNpy(npyWith(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'note': 'caf\u00e9'}", data)).data], [4, 5]);
  });

  it('writes byte-for-byte what numpy.save writes', () => {
    assert.deepEqual(writeNpy({ dtype: 'float32', shape: [1, 3], data: new Float32Array([1, 2, 3]) }), sample('f32_1x3'));
    assert.deepEqual(writeNpy({ dtype: 'uint8', shape: [2], data: new Uint8Array([7, 250]) }), sample('u8_2'));
    assert.deepEqual(writeNpy({ dtype: 'float64', shape: [], data: new Float64Array([2.5]) }), sample('scalar_f8'));
  });

  it('refuses what it cannot write', () => {
    assert.throws(() => writeNpy({ dtype: 'bfloat16', shape: [1], data: new Uint16Array(1) }), InputError);
    assert.throws(() => writeNpy({ dtype: 'float32', shape: [2], data: new Float32Array(3) }), InputError);
  });

  it('clear errors for bad files', () => {
    throwsClear(() => readNpy(new Uint8Array([1, 2, 3])), CheckpointError, /^not a \.npy file/);
    throwsClear(() => readNpy(sample('f32_1x3').subarray(0, 136)), CheckpointError, /^truncated \.npy file: shape \[1, 3\] needs 12 data bytes but 8 remain$/);
    throwsClear(() => readNpy(sample('f32_1x3').subarray(0, 50)), CheckpointError, /^truncated \.npy file: header of 118 bytes but only 40 remain$/);
    throwsClear(() => readNpy(sample('c8')), CheckpointError, /unsupported \.npy dtype '<c8'/);
    throwsClear(() => readNpy(sample('structured')), CheckpointError, /structured dtypes/);
    throwsClear(() => readNpy(npyWith(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", new Uint8Array(8))), CheckpointError, /^corrupt \.npy header/);
    throwsClear(() => readNpy(npyWith(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", new Uint8Array(8))), CheckpointError,
      /^truncated \.npy file: shape \[100000, 100000\] needs 40000000000 data bytes but 8 remain$/);
    throwsClear(() => readNpy(npyWith(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", new Uint8Array(8))), CheckpointError, /bad shape/);
  });
});

describe('.npz', () => {
  it('reads a numpy .npz archive', () => {
    const g = readNpz(readFileSync(fixture('stylegan2-train-step', 'grads_Gmain.npz')));
    assert.equal(g.size, 68);
    assert.deepEqual(g.get('synthesis.b4.const')!.shape, [64, 4, 4]);
  });

  it('reads an archive of arrays written by writeNpy', () => {
    const a = writeNpy({ dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) });
    const npz = readNpz(zipSync({ 'a.npy': a, 'b.npy': sample('u8_2') }));
    assert.deepEqual([...npz.keys()], ['a', 'b']);
    assert.deepEqual([...npz.get('a')!.data], [1, 2]);
  });

  it('clear errors for bad archives', () => {
    throwsClear(() => readNpz(sample('f32_1x3')), CheckpointError, /^not a \.npz file/);
    throwsClear(() => readNpz(zipSync({ 'x.npy': new Uint8Array([1, 2]) })), CheckpointError, /^x\.npy in \.npz: not a \.npy file/);
    const real = readFileSync(fixture('stylegan2-train-step', 'grads_Dreg.npz'));
    throwsClear(() => readNpz(real.subarray(0, 1000)), CheckpointError, /^truncated or corrupt \.npz archive/);
  });
});
