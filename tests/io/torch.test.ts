import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { CheckpointError, UnsafeCheckpointError } from '../../src/errors.js';
import { type TensorData, isTensorData, loadLegacyTorch, loadTorchFile, toFloat32 } from '../../src/io/torch.js';
import { fixture } from '../fixtures.js';
import { type Digests, PickleBuilder, assertMatchesDigests, concatBytes, testData, throwsClear } from './helpers.js';

const MAGIC = 0x1950a86a20f9469cfc6cn;

/** The three pickles a legacy torch.save file starts with: magic, protocol 1001, sys_info. */
function legacyHeader(): Uint8Array {
  return concatBytes(
    new PickleBuilder().proto(2).long1(MAGIC, 10).stop().bytes(),
    new PickleBuilder().proto(2).raw(0x4d, 0xe9, 0x03).stop().bytes(),
    new PickleBuilder().proto(2).emptyDict().str('protocol_version').raw(0x4d, 0xe9, 0x03).setitem()
      .str('little_endian').bool(true).setitem().stop().bytes(),
  );
}

/** Writes `_rebuild_tensor_v2(<storage pid>, offset, size, stride, False, OrderedDict())`; `pidLength` 6 = legacy, 5 = zip. */
function tensor(b: PickleBuilder, storage: string, key: string, numel: number, offset: number, size: number[], stride: number[], pidLength = 6): PickleBuilder {
  b.global('torch._utils', '_rebuild_tensor_v2').mark();
  b.mark().str('storage').global('torch', storage).str(key).str('cpu').int(numel);
  if (pidLength === 6) b.none();
  b.tuple().binpersid();
  return b.int(offset).ints(...size).ints(...stride).bool(false).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
}

/** int64 element count + raw little-endian bytes, as legacy torch.save writes each storage. */
function storageRecord(count: number, data: ArrayBufferView): Uint8Array {
  const head = new PickleBuilder().u64(BigInt(count)).bytes();
  return concatBytes(head, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** A legacy file: a transposed view, an offset view sharing its storage, an int64, a half and a bfloat16 tensor. */
function handBuiltLegacy(): Uint8Array {
  const main = new PickleBuilder().proto(2).emptyDict();
  main.str('w'); tensor(main, 'FloatStorage', '0', 6, 0, [3, 2], [1, 3]).setitem();
  main.str('row'); tensor(main, 'FloatStorage', '0', 6, 1, [2], [2]).setitem();
  main.str('b'); tensor(main, 'LongStorage', '1', 2, 0, [2], [1]).setitem();
  main.str('h'); tensor(main, 'HalfStorage', '2', 4, 0, [2, 2], [2, 1]).setitem();
  main.str('bf'); tensor(main, 'BFloat16Storage', '3', 2, 0, [2], [1]).setitem();
  main.stop();
  const keys = new PickleBuilder().proto(2).emptyList().mark().str('0').str('1').str('2').str('3').appends().stop();
  return concatBytes(
    legacyHeader(), main.bytes(), keys.bytes(),
    storageRecord(6, new Float32Array([0, 1, 2, 3, 4, 5])),
    storageRecord(2, new BigInt64Array([-3n, 2n ** 40n])),
    storageRecord(4, new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001])),
    storageRecord(2, new Uint16Array([0x3f80, 0xc040])),
  );
}

describe('torch legacy format (hand-built from the format description)', () => {
  it('honours size, stride, storage offset and shared storages', () => {
    const obj = loadTorchFile(handBuiltLegacy()) as Map<string, TensorData>;
    const w = obj.get('w')!;
    assert.deepEqual(w.shape, [3, 2]);
    assert.equal(w.dtype, 'float32');
    assert.deepEqual([...w.data], [0, 3, 1, 4, 2, 5]); // transpose of [[0,1,2],[3,4,5]]
    assert.deepEqual([...obj.get('row')!.data], [1, 3]);
    assert.deepEqual([...obj.get('b')!.data], [-3n, 2n ** 40n]);
    assert.deepEqual([...toFloat32(obj.get('h')!)], [1, -2, 65504, 2 ** -24]);
    assert.deepEqual([...toFloat32(obj.get('bf')!)], [1, -3]);
    assert.equal(obj.get('bf')!.dtype, 'bfloat16');
  });

  it('loadLegacyTorch refuses a file without the magic number', () => {
    throwsClear(() => loadLegacyTorch(new PickleBuilder().proto(2).int(7).stop().bytes()), CheckpointError, /not a legacy torch\.save file/);
  });

  it('a truncated legacy file is a "truncated" CheckpointError at every cut', () => {
    const full = handBuiltLegacy();
    for (let cut = 0; cut < full.length; cut++) {
      assert.throws(() => loadTorchFile(full.subarray(0, cut)), (e: unknown) => {
        assert.ok(e instanceof CheckpointError, `cut ${cut}: ${String(e)}`);
        if (cut >= 16) assert.match((e as Error).message, /truncated/, `cut ${cut}`);
        return true;
      });
    }
  });

  it('a view reaching past its storage is refused', () => {
    const main = new PickleBuilder().proto(2);
    tensor(main, 'FloatStorage', '0', 6, 0, [7], [1]).stop();
    const keys = new PickleBuilder().proto(2).emptyList().str('0').raw(0x61).stop();
    const file = concatBytes(legacyHeader(), main.bytes(), keys.bytes(), storageRecord(6, new Float32Array(6)));
    throwsClear(() => loadTorchFile(file), CheckpointError, /reaches element 6 of storage '0', which has 6/);
  });

  it('a storage whose element count disagrees with its persistent id is refused', () => {
    const main = new PickleBuilder().proto(2);
    tensor(main, 'FloatStorage', '0', 6, 0, [6], [1]).stop();
    const keys = new PickleBuilder().proto(2).emptyList().str('0').raw(0x61).stop();
    const file = concatBytes(legacyHeader(), main.bytes(), keys.bytes(), storageRecord(1_000_000_000, new Float32Array(6)));
    throwsClear(() => loadTorchFile(file), CheckpointError, /should hold 6 elements but its data says 1000000000/);
  });
});

describe('torch zip format (hand-built with fflate)', () => {
  const pkl = (): Uint8Array => {
    const b = new PickleBuilder().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce();
    b.str('weight'); tensor(b, 'FloatStorage', '0', 6, 0, [3, 2], [1, 3], 5).setitem();
    b.str('alias'); tensor(b, 'FloatStorage', '0', 6, 1, [2, 2], [3, 1], 5).setitem();
    return b.stop().bytes();
  };
  const storage0 = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);

  it('reads strided views of one shared storage', () => {
    const zip = zipSync({ 'ckpt/data.pkl': pkl(), 'ckpt/data/0': storage0, 'ckpt/byteorder': new TextEncoder().encode('little'), 'ckpt/version': new TextEncoder().encode('3\n') }, { level: 0 });
    const sd = loadTorchFile(zip) as Map<string, TensorData>;
    assert.ok(sd instanceof Map);
    assert.deepEqual([...sd.get('weight')!.data], [0, 3, 1, 4, 2, 5]);
    assert.deepEqual([...sd.get('alias')!.data], [1, 2, 4, 5]); // offset 1, size [2, 2], stride [3, 1]
  });

  it('errors: no data.pkl, missing storage, short storage, truncated archive', () => {
    throwsClear(() => loadTorchFile(zipSync({ 'a/readme.txt': new Uint8Array(3) })), CheckpointError, /^zip archive without data\.pkl: not a torch\.save file \(it holds a\/readme\.txt\)$/);
    throwsClear(() => loadTorchFile(zipSync({ 'ckpt/data.pkl': pkl() })), CheckpointError, /^truncated checkpoint: the archive has no ckpt\/data\/0/);
    throwsClear(() => loadTorchFile(zipSync({ 'ckpt/data.pkl': pkl(), 'ckpt/data/0': storage0.subarray(0, 8) })), CheckpointError,
      /^truncated checkpoint: 6 float32 values need 24 bytes but only 8 are there$/);
    const real = readFileSync(fixture('ugatit-light-tiny', 'fixture_params_0000100.pt'));
    throwsClear(() => loadTorchFile(real.subarray(0, real.length >> 1)), CheckpointError, /^truncated or corrupt zip archive/);
  });
});

describe('U-GAT-IT checkpoints', () => {
  const digests = testData<Digests>('tensor-digests.json');
  for (const [folder, format] of [['ugatit-light-tiny', 'zip'], ['ugatit-full-tiny-legacy', 'legacy']] as const) {
    it(`${folder} (${format} format): six state dicts with the right names, shapes and values`, () => {
      const obj = loadTorchFile(readFileSync(fixture(folder, 'fixture_params_0000100.pt')));
      assert.ok(obj instanceof Map);
      assert.deepEqual([...obj.keys()], ['genA2B', 'genB2A', 'disGA', 'disGB', 'disLA', 'disLB']);
      for (const [net, sd] of obj) {
        assert.ok(sd instanceof Map);
        for (const t of sd.values()) assert.ok(isTensorData(t));
        assertMatchesDigests(sd as Map<string, TensorData>, digests[folder]![net as string]!, `${folder} ${String(net)}`);
      }
    });
  }
});

describe('loadTorchFile: things that are not checkpoints', () => {
  it('names what it was given', () => {
    throwsClear(() => loadTorchFile(new Uint8Array(0)), CheckpointError, /^empty file: not a checkpoint/);
    throwsClear(() => loadTorchFile(readFileSync(fixture('ugatit-light-tiny', 'input.png'))), CheckpointError, /^this is a PNG image, not a checkpoint$/);
    throwsClear(() => loadTorchFile(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])), CheckpointError, /^this is a JPEG image, not a checkpoint$/);
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (Math.imul(i + 7, 2654435761) >>> 13) & 0xff);
    random[0] = 0x13;
    throwsClear(() => loadTorchFile(random), CheckpointError, /^not a PyTorch or pickle file \(it starts with bytes 13 /);
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode('ustar'), 257);
    tar[0] = 0x73;
    throwsClear(() => loadTorchFile(tar), CheckpointError, /pre-1\.0 tar torch\.save format/);
    throwsClear(() => loadTorchFile(readFileSync(fixture('stylegan2-tiny', 'z_seed0.npy'))), CheckpointError, /NumPy \.npy array/);
  });

  it('a StyleGAN snapshot is refused with a pointer to readStyleGanPickle', () => {
    throwsClear(() => loadTorchFile(readFileSync(fixture('stylegan2-tiny', 'network.pkl'))), UnsafeCheckpointError,
      /'torch_utils\.persistence\._reconstruct_persistent_obj'.*readStyleGanPickle/);
  });

  it('a plain pickle embedding a storage through _load_from_bytes', () => {
    const blobMain = new PickleBuilder().proto(2).mark().str('storage').global('torch', 'FloatStorage').str('k').str('cpu').int(3).none().tuple().binpersid().stop();
    const blob = concatBytes(legacyHeader(), blobMain.bytes(), new PickleBuilder().proto(2).emptyList().str('k').raw(0x61).stop().bytes(), storageRecord(3, new Float32Array([7, 8, 9])));
    const b = new PickleBuilder().proto(4).emptyDict().str('t').global('torch._utils', '_rebuild_tensor_v2').mark();
    b.global('torch.storage', '_load_from_bytes').raw(0x42).u32(blob.length).raw(...blob).tuple1().reduce();
    b.int(1).ints(2).ints(1).bool(false).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce().setitem().stop();
    const obj = loadTorchFile(b.bytes()) as Map<string, TensorData>;
    assert.deepEqual([...obj.get('t')!.data], [8, 9]);
  });

  it('a corrupt embedded storage is named as such, not described as the file', () => {
    const good = new PickleBuilder().proto(2).none().stop().bytes();
    const junk = Uint8Array.of(0x44, 0x20, 0x13, 0x37, 0, 1, 2, 3, 4, 5);
    const b = new PickleBuilder().proto(4).mark();
    for (const blob of [good, junk]) b.global('torch.storage', '_load_from_bytes').raw(0x42).u32(blob.length).raw(...blob).tuple1().reduce();
    b.tuple().stop();
    throwsClear(() => loadTorchFile(b.bytes()), CheckpointError,
      /^corrupt checkpoint: the 2nd embedded tensor storage \(a 10-byte torch\.storage\._load_from_bytes blob\) is unreadable: not a PyTorch or pickle file \(it starts with bytes 44 20 13 37/);
  });
});
