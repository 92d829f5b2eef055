// TensorFlow-era pickles: the allow-list, and one clear line for truncated, hostile, mislabelled and unsupported
// files (StyleGAN2 configs B-D, ProGAN), built from the official fixture with the test writer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CheckpointError, UnsafeCheckpointError } from '../../src/errors.js';
import { sniffFileKind } from '../../src/io/sniff.js';
import { readTfPickle, tfGlobalTable } from '../../src/io/tf-pickle.js';
import { readCheckpointBytes } from '../../src/models/checkpoint.js';
import { loadCheckpoint } from '../../src/node.js';
import { fixture } from '../fixtures.js';
import { throwsClear } from './helpers.js';
import { Call, Global, type TfNet, Tuple, pickleValue, tfDiscriminator, tfGenerator } from './tf-pickle-writer.js';

const TF = fixture('stylegan2-tf-tiny', 'network-tf.pkl');
const official = loadCheckpoint(TF);

/** The fixture's networks as writer objects, to be changed before pickling. */
function nets(): { G: TfNet; D: TfNet; Gs: TfNet } {
  return { G: tfGenerator(official.networks.G!, 'G'), D: tfDiscriminator(official.networks.D!), Gs: tfGenerator(official.networks.G_ema!, 'Gs') };
}
const tuple = (n: { G: TfNet; D: TfNet; Gs: TfNet }, protocol: 3 | 4 = 3): Uint8Array => pickleValue(new Tuple([n.G, n.D, n.Gs]), protocol);

describe('TF pickle reader', () => {
  it('allows only the Network classes and the NumPy globals arrays need', () => {
    assert.deepEqual([...tfGlobalTable().keys()].sort(), [
      'dnnlib.tflib.network.Network', 'numpy._core.multiarray._reconstruct', 'numpy._core.multiarray.scalar', 'numpy.core.multiarray._reconstruct',
      'numpy.core.multiarray.scalar', 'numpy.dtype', 'numpy.ndarray', 'tfutil.Network',
    ]);
  });

  it('sniffs TF pickles of protocols 2-4 (GLOBAL or STACK_GLOBAL, with a FRAME) and nothing else as tf-pickle', () => {
    assert.equal(sniffFileKind(readFileSync(TF)), 'tf-pickle');
    assert.equal(sniffFileKind(tuple(nets(), 4)), 'tf-pickle');
    assert.equal(sniffFileKind(readFileSync(fixture('stylegan2-tiny', 'network.pkl'))), 'pickle');
    assert.equal(sniffFileKind(readFileSync(fixture('ugatit-full-tiny-legacy', 'fixture_params_0000100.pt'))), 'torch-legacy');
    assert.equal(sniffFileKind(pickleValue(new Tuple([new Global('dnnlib.tflib.network', 'Other')]))), 'pickle');
    const n = nets();
    assert.deepEqual(Object.keys(readTfPickle(tuple(n, 4))), ['G', 'D', 'Gs']);
    assert.deepEqual(Object.keys(readTfPickle(pickleValue(n.Gs))), ['Gs']); // a lone Gs
  });

  it('truncated files: one line, at any cut', () => {
    const bytes = readFileSync(TF);
    for (const at of [3, 40, 1000, bytes.length >> 1, bytes.length - 1]) {
      throwsClear(() => readCheckpointBytes(bytes.subarray(0, at)), CheckpointError, /truncated|corrupt/);
    }
  });

  it('hostile files: anything off the allow-list is refused and nothing runs', () => {
    const n = nets();
    n.Gs.state.variables.push(['evil', new Call(new Global('posix', 'system'), ['touch /tmp/pwned']) as never]);
    throwsClear(() => readCheckpointBytes(tuple(n)), UnsafeCheckpointError, /'posix\.system'.*nothing was executed/);
    const m = nets();
    m.D.state.static_kwargs['x'] = new Call(new Global('torch._utils', '_rebuild_tensor_v2'), []);
    throwsClear(() => readCheckpointBytes(tuple(m)), UnsafeCheckpointError, /mixes TensorFlow networks with PyTorch objects/);
    const loop = nets();
    loop.Gs.state.build_module_src = 'import os; os.system("touch /tmp/pwned")'; // never run: only text
    assert.equal(readCheckpointBytes(tuple(loop)).networks.G_ema!.kind, 'generator');
  });

  it('mislabelled files: the wrong order, a lone discriminator, a dict, a pair, broken state', () => {
    const n = nets();
    throwsClear(() => readCheckpointBytes(pickleValue(new Tuple([n.D, n.G, n.Gs]))), CheckpointError, /the G network is a discriminator .*not in the order \(G, D, Gs\)/);
    throwsClear(() => readCheckpointBytes(pickleValue(n.D)), CheckpointError, /holds one network, a discriminator/);
    throwsClear(() => readCheckpointBytes(pickleValue(new Tuple([n.G, n.Gs]))), CheckpointError, /not the tuple \(G, D, Gs\)/);
    throwsClear(() => readCheckpointBytes(pickleValue({ G: n.G, D: n.D, Gs: n.Gs })), UnsafeCheckpointError, /TensorFlow-era network pickle in an unexpected layout/);
    const cases: [(s: TfNet['state']) => void, RegExp][] = [
      [(s) => { (s as { variables: unknown }).variables = 'weights'; }, /has the string 'weights' as its variables, not a list/],
      [(s) => { s.variables[0] = ['dlatent_avg', 3 as never]; }, /variable 'dlatent_avg' of Gs \(item 2\) is the value 3, not a NumPy array/],
      [(s) => { s.variables.push(s.variables[0]!); }, /two variables named 'dlatent_avg'/],
      [(s) => { delete (s as Partial<TfNet['state']>).build_func_name; }, /has no 'build_func_name'/],
      [(s) => { s.static_kwargs['mystery_option'] = 1; }, /unknown TensorFlow kwarg 'mystery_option' in G_ema's static_kwargs|unknown TensorFlow kwarg 'mystery_option' in Gs \(G_ema\)'s static_kwargs/],
      [(s) => { s.version = 3; }, /pickle version 3, too low for StyleGAN2/],
      [(s) => { s.static_kwargs['fmap_max'] = 32; }, /has shape \[\d+(,\d+)*\] after conversion, but its configuration implies/],
      [(s) => { s.components['synthesis']!.state.variables = s.components['synthesis']!.state.variables.filter(([k]) => k !== '8x8/Conv1/weight'); }, /lacks the variable 'synthesis\/8x8\/Conv1\/weight'/],
      [(s) => { s.build_func_name = 'my_fork.networks.G_fancy'; }, /built by 'my_fork\.networks\.G_fancy', which stylelab does not know/],
    ];
    for (const [change, re] of cases) {
      const m = nets();
      change(m.Gs.state);
      throwsClear(() => readCheckpointBytes(tuple(m)), CheckpointError, re);
    }
  });

  it('unsupported configurations are named: StyleGAN2 configs B-D and ProGAN', () => {
    const revised = nets();
    revised.Gs.state.components['synthesis']!.state.build_func_name = 'training.networks_stylegan2.G_synthesis_stylegan_revised';
    throwsClear(() => readCheckpointBytes(tuple(revised)), CheckpointError, /Gs \(G_ema\) network is a StyleGAN2 config B-D network .*not support/);
    const dStylegan = nets();
    dStylegan.D.state.build_func_name = 'training.networks_stylegan2.D_stylegan';
    throwsClear(() => readCheckpointBytes(tuple(dStylegan)), CheckpointError, /D network is a StyleGAN2 config B-D network/);
    const paper = nets();
    paper.G.state.build_func_name = 'training.networks_progan.G_paper';
    throwsClear(() => readCheckpointBytes(tuple(paper)), CheckpointError, /G network is a ProGAN network \(progressive_growing_of_gans: G_paper \/ D_paper\), which stylelab does not support/);
    // ProGAN's own pickles name tfutil.Network.
    const progan = nets();
    const asTfutil = (t: TfNet): TfNet => Object.assign(Object.create(Object.getPrototypeOf(t) as object) as TfNet, { state: t.state, module: 'tfutil' });
    const bytes = pickleValue(new Tuple([asTfutil(progan.G), asTfutil(progan.D), asTfutil(progan.Gs)]));
    assert.equal(sniffFileKind(bytes), 'tf-pickle');
    throwsClear(() => readCheckpointBytes(bytes), CheckpointError, /ProGAN network/);
  });
});
