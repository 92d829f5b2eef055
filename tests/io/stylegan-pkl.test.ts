import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CheckpointError, UnsafeCheckpointError } from '../../src/errors.js';
import { readNpz } from '../../src/io/npy.js';
import { type ModuleTree, readStyleGanPickle, stateDict } from '../../src/io/stylegan-pkl.js';
import { isTensorData } from '../../src/io/tensor.js';
import { fixture } from '../fixtures.js';
import { type Digests, PickleBuilder, assertMatchesDigests, testData, throwsClear } from './helpers.js';

const FOLDERS = ['stylegan2-tiny', 'stylegan2-cond-tiny', 'stylegan3-t-tiny', 'stylegan3-r-tiny', 'draggan-tiny'] as const;

interface Reference {
  init_kwargs?: Record<string, unknown>;
  num_ws?: number;
  c_dim?: number;
  img_resolution?: number;
}

const readRef = (folder: string): Reference => JSON.parse(readFileSync(fixture(folder, 'reference.json'), 'utf8')) as Reference;
const readPkl = (folder: string): Uint8Array => readFileSync(fixture(folder, 'network.pkl'));

/** Parameter names (not buffers) of a module tree, dotted like named_parameters(). */
function paramNames(tree: ModuleTree, prefix = ''): string[] {
  return [...[...tree.params.keys()].map((k) => prefix + k), ...[...tree.modules].flatMap(([k, m]) => paramNames(m, `${prefix}${k}.`))];
}

describe('official StyleGAN snapshots', () => {
  const digests = testData<Digests>('tensor-digests.json');
  for (const folder of FOLDERS) {
    it(`${folder}: networks, init kwargs, state dict names, shapes and values`, () => {
      const snap = readStyleGanPickle(readPkl(folder));
      const ref = readRef(folder);
      assert.ok(snap.G && snap.G_ema, 'G and G_ema present');
      assert.equal(snap.G.className, 'Generator');
      assert.equal(snap.G_ema.className, 'Generator');
      if (folder === 'draggan-tiny') {
        assert.equal(snap.D, undefined); // this fixture holds G and G_ema only
        assert.equal(snap.G_ema.initKwargs['z_dim'], 512);
      } else {
        assert.ok(snap.D);
        assert.equal(snap.D.className, 'Discriminator');
        assert.deepEqual(snap.G_ema.initKwargs, ref.init_kwargs);
        assert.deepEqual(snap.G.initKwargs, ref.init_kwargs);
        assert.equal(snap.D.initKwargs['c_dim'], ref.c_dim);
        assert.equal(snap.D.initKwargs['img_resolution'], ref.img_resolution);
        assert.equal(snap.G_ema.attrs['num_ws'], ref.num_ws);
        assert.equal(snap.trainingSetKwargs?.['resolution'], ref.img_resolution);
        assertMatchesDigests(stateDict(snap.D), digests[folder]!['D']!, `${folder} D`);
      }
      assert.deepEqual(snap.G_ema.initArgs, []);
      assert.equal(snap.augmentPipe, undefined); // None in these snapshots
      const sdEma = stateDict(snap.G_ema);
      const sdG = stateDict(snap.G);
      assert.deepEqual([...sdG.keys()], [...sdEma.keys()]);
      assert.deepEqual([...sdG.values()].map((t) => t.shape), [...sdEma.values()].map((t) => t.shape));
      assertMatchesDigests(sdEma, digests[folder]!['G_ema']!, `${folder} G_ema`);
    });
  }

  it('stylegan2-tiny: named tensors have the official shapes', () => {
    const sd = stateDict(readStyleGanPickle(readPkl('stylegan2-tiny')).G_ema!);
    const shapeOf = (k: string): number[] | undefined => sd.get(k)?.shape;
    assert.deepEqual(shapeOf('synthesis.b8.conv0.weight'), [64, 64, 3, 3]);
    assert.deepEqual(shapeOf('mapping.w_avg'), [64]);
    assert.deepEqual(shapeOf('mapping.fc7.weight'), [64, 64]);
    assert.deepEqual(shapeOf('synthesis.b4.const'), [64, 4, 4]);
    assert.deepEqual(shapeOf('synthesis.b32.torgb.weight'), [3, 32, 1, 1]); // channel_base 1024 / 32
    assert.deepEqual(shapeOf('synthesis.b4.conv1.noise_const'), [4, 4]);
    assert.deepEqual(shapeOf('synthesis.b4.conv1.noise_strength'), []);
  });

  it('stylegan3: NumPy scalars and arrays in module attributes become numbers and TensorData', () => {
    const snap = readStyleGanPickle(readPkl('stylegan3-t-tiny'));
    const synthesis = snap.G_ema!.modules.get('synthesis')!;
    const layer = synthesis.modules.get('L0_36_64')!;
    const inSize = layer.attrs['in_size'];
    assert.ok(isTensorData(inSize));
    assert.equal(inSize.dtype, 'int64');
    assert.deepEqual([...inSize.data], [36n, 36n]);
    assert.equal(typeof layer.attrs['in_cutoff'], 'number');
    assert.equal(layer.attrs['magnitude_ema_beta'], 0.9988915792636801);
    assert.deepEqual(synthesis.attrs['layer_names']?.constructor, Array);
    assert.equal(snap.G_ema!.modules.get('mapping')!.modules.get('fc0')!.className, 'FullyConnectedLayer');
  });

  it('stylegan2-train-step gradients are keyed by the same official names and shapes', () => {
    const snap = readStyleGanPickle(readPkl('stylegan2-tiny'));
    for (const [phase, net] of [['Gmain', snap.G!], ['Greg', snap.G!], ['Dmain', snap.D!], ['Dreg', snap.D!]] as const) {
      const sd = stateDict(net);
      const grads = readNpz(readFileSync(fixture('stylegan2-train-step', `grads_${phase}.npz`)));
      assert.ok(grads.size > 0);
      for (const [name, g] of grads) {
        assert.ok(sd.has(name), `${phase}: ${name} is not in the state dict`);
        assert.deepEqual(sd.get(name)!.shape, g.shape, `${phase}: ${name} shape`);
      }
      if (phase === 'Gmain' || phase === 'Dmain') assert.deepEqual(new Set(grads.keys()), new Set(paramNames(net)));
    }
  });
});

describe('readStyleGanPickle: hand-built snapshots', () => {
  /** { 'G_ema': persistent Tiny module, 'training_set_kwargs': EasyDict(resolution=8) } with hostile module_src. */
  function tinySnapshot(): Uint8Array {
    const b = new PickleBuilder().proto(4).emptyDict().shortStr('G_ema');
    b.stackGlobal('torch_utils.persistence', '_reconstruct_persistent_obj').emptyDict().mark();
    b.shortStr('type').shortStr('class').shortStr('version').int(6);
    b.shortStr('module_src').shortStr('import os\nos.system("rm -rf /")\n');
    b.shortStr('class_name').shortStr('Tiny').shortStr('state').emptyDict().mark();
    b.shortStr('_parameters').stackGlobal('collections', 'OrderedDict').emptyTuple().reduce();
    b.shortStr('_buffers').stackGlobal('collections', 'OrderedDict').emptyTuple().reduce();
    b.shortStr('_non_persistent_buffers_set').raw(0x8f).mark().shortStr('scratch').raw(0x90);
    b.shortStr('_modules').stackGlobal('collections', 'OrderedDict').emptyTuple().reduce();
    b.shortStr('_init_args').ints(3);
    b.shortStr('_init_kwargs').stackGlobal('dnnlib.util', 'EasyDict').emptyTuple().raw(0x81).mark()
      .shortStr('mapping_kwargs').emptyDict().shortStr('num_layers').int(2).setitem().shortStr('t').ints(1, 2).setitems();
    b.shortStr('label').shortStr('x').setitems().setitems().tuple1().reduce().setitem();
    b.shortStr('training_set_kwargs').stackGlobal('dnnlib.util', 'EasyDict').emptyTuple().raw(0x81).shortStr('resolution').int(8).setitem();
    return b.setitem().stop().bytes();
  }

  it('reads a minimal snapshot and ignores the embedded module source', () => {
    const snap = readStyleGanPickle(tinySnapshot());
    assert.equal(snap.G_ema!.className, 'Tiny');
    assert.equal(snap.G_ema!.version, 6);
    assert.deepEqual(snap.G_ema!.initArgs, [3]);
    assert.deepEqual(snap.G_ema!.initKwargs, { mapping_kwargs: { num_layers: 2 }, t: [1, 2] });
    assert.deepEqual(snap.G_ema!.attrs, { label: 'x' });
    assert.deepEqual([...snap.G_ema!.nonPersistentBuffers], ['scratch']);
    assert.deepEqual(snap.trainingSetKwargs, { resolution: 8 });
    assert.equal(stateDict(snap.G_ema!).size, 0);
  });

  it('a pickle that is not a snapshot says what it found', () => {
    const dict = new PickleBuilder().proto(4).emptyDict().shortStr('a').int(1).setitem().stop().bytes();
    throwsClear(() => readStyleGanPickle(dict), CheckpointError, /^not a StyleGAN snapshot: the pickle holds a dict with keys 'a' but no G, D or G_ema network$/);
    const list = new PickleBuilder().proto(4).emptyList().stop().bytes();
    throwsClear(() => readStyleGanPickle(list), CheckpointError, /^not a StyleGAN snapshot: the pickle holds a list of 0, not a dict of networks$/);
    const notNet = new PickleBuilder().proto(4).emptyDict().shortStr('G').int(1).setitem().stop().bytes();
    throwsClear(() => readStyleGanPickle(notNet), CheckpointError, /'G' is the value 1, not a network/);
  });

  it('refuses dangerous globals inside a snapshot and TensorFlow-era pickles', () => {
    const evil = new PickleBuilder().proto(4).emptyDict().shortStr('G').stackGlobal('posix', 'system').shortStr('id').tuple1().reduce().setitem().stop().bytes();
    throwsClear(() => readStyleGanPickle(evil), UnsafeCheckpointError, /'posix\.system'.*nothing was executed/);
    const tf = new PickleBuilder().proto(3).global('dnnlib.tflib.network', 'Network').emptyTuple().raw(0x81).stop().bytes();
    throwsClear(() => readStyleGanPickle(tf), CheckpointError, /TensorFlow-era network pickle, not a PyTorch StyleGAN snapshot \(read it with readTfPickle/);
    // A TF network past the first global (a layout no official code writes) is refused by the allow-list, with a hint.
    const hidden = new PickleBuilder().proto(3).emptyDict().str('Gs').global('dnnlib.tflib.network', 'Network').emptyTuple().raw(0x81).setitem().stop().bytes();
    throwsClear(() => readStyleGanPickle(hidden), UnsafeCheckpointError, /'dnnlib\.tflib\.network\.Network'.*TensorFlow-era network pickle in an unexpected layout/);
  });

  it('other kinds of file', () => {
    throwsClear(() => readStyleGanPickle(new Uint8Array(0)), CheckpointError, /^empty file/);
    throwsClear(() => readStyleGanPickle(readFileSync(fixture('ugatit-light-tiny', 'input.png'))), CheckpointError, /PNG image/);
    throwsClear(() => readStyleGanPickle(readFileSync(fixture('ugatit-light-tiny', 'fixture_params_0000100.pt'))), CheckpointError, /torch\.save checkpoint, not a StyleGAN network pickle/);
    throwsClear(() => readStyleGanPickle(readFileSync(fixture('ugatit-full-tiny-legacy', 'fixture_params_0000100.pt'))), CheckpointError, /torch\.save checkpoint/);
  });

  it('a truncated network.pkl is a "truncated" CheckpointError wherever it is cut', () => {
    const full = readPkl('stylegan2-tiny');
    for (const cut of [2, 11, 100, 5000, 5155, 100_000, 1_200_984, full.length >> 1, full.length - 2, full.length - 1]) {
      throwsClear(() => readStyleGanPickle(full.subarray(0, cut)), CheckpointError, /^truncated (pickle|checkpoint)/);
    }
  });

  it('random corruption of a real snapshot only ever gives CheckpointErrors', () => {
    const base = readPkl('stylegan2-cond-tiny');
    let state = 99;
    const rand = (n: number): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) % n);
    for (let trial = 0; trial < 60; trial++) {
      const b = base.slice();
      for (let k = 0; k < 1 + rand(3); k++) b[rand(b.length)] = rand(256);
      try {
        readStyleGanPickle(b);
      } catch (e) {
        assert.ok(e instanceof CheckpointError, `trial ${trial}: ${String(e)}`);
      }
    }
  });
});

