// One sniff per load: a file's kind is sniffed once (sniffFile) and every reader trusts the kind it is given.
// Each reader is handed a SniffedFile whose kind is deliberately wrong: a reader that looked at the bytes
// again would see through it; one that trusts the kind fails as that kind dictates.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CheckpointError, UnsafeCheckpointError } from '../../src/errors.js';
import { SniffedFile, sniffFile, sniffFileKind } from '../../src/io/sniff.js';
import { readStyleGanPickle } from '../../src/io/stylegan-pkl.js';
import { readTfPickle } from '../../src/io/tf-pickle.js';
import { isLegacyTorchFile, loadTorchFile } from '../../src/io/torch.js';
import { readCheckpointBytes } from '../../src/models/checkpoint.js';
import { isUgatitParams, readUgatitParams } from '../../src/models/ugatit-checkpoint.js';
import { fixture, repoRoot } from '../fixtures.js';
import { throwsClear } from './helpers.js';

const TF = readFileSync(fixture('stylegan2-tf-tiny', 'network-tf.pkl'));
const PT = readFileSync(fixture('stylegan2-tiny', 'network.pkl'));
const ZIP = readFileSync(fixture('ugatit-light-tiny', 'fixture_params_0000100.pt'));
const LEGACY = readFileSync(fixture('ugatit-full-tiny-legacy', 'fixture_params_0000100.pt'));
const lying = (bytes: Uint8Array, kind: SniffedFile['kind']): SniffedFile => new SniffedFile(bytes, kind);

describe('one sniff per load', () => {
  it('the honest kinds: each file loads through the SniffedFile made once', () => {
    assert.deepEqual([TF, PT, ZIP, LEGACY].map((b) => sniffFileKind(b)), ['tf-pickle', 'pickle', 'zip', 'torch-legacy']);
    const file = sniffFile(TF);
    assert.equal(sniffFile(file), file, 'a SniffedFile passes through sniffFile unchanged (no second sniff)');
    assert.equal(readCheckpointBytes(file).format, 'nvidia-tf-pkl');
    assert.equal(readCheckpointBytes(sniffFile(PT)).format, 'nvidia-pkl');
    assert.ok(isUgatitParams(sniffFile(ZIP)) && isUgatitParams(sniffFile(LEGACY)));
  });

  it('readCheckpointBytes trusts the kind it is given', () => {
    // A TF pickle said to be a PyTorch one goes to the PyTorch reader, whose allow-list refuses the TF class.
    throwsClear(() => readCheckpointBytes(lying(TF, 'pickle')), UnsafeCheckpointError, /dnnlib\.tflib\.network\.Network/);
    // A PyTorch snapshot said to be a TF pickle goes to the TF reader, whose allow-list refuses torch globals.
    throwsClear(() => readCheckpointBytes(lying(PT, 'tf-pickle')), UnsafeCheckpointError, /torch_utils\.persistence|torch\./);
    // A U-GAT-IT zip said to be a pickle is parsed as one (and is not one); said to be a PNG, it is called a PNG.
    throwsClear(() => readCheckpointBytes(lying(ZIP, 'pickle')), CheckpointError, /corrupt pickle: persistent id found.*\(PERSID at byte 0\)/); // 'PK' read as opcodes
    throwsClear(() => readCheckpointBytes(lying(ZIP, 'png')), CheckpointError, /PNG image/);
    // A legacy torch.save file said to be a zip is called a zip checkpoint (the zip reader cannot open it, so it is no U-GAT-IT one).
    throwsClear(() => readCheckpointBytes(lying(LEGACY, 'zip')), CheckpointError, /PyTorch zip checkpoint/);
    throwsClear(() => readCheckpointBytes(lying(LEGACY, 'torch-legacy')), CheckpointError, /U-GAT-IT checkpoint/);
    throwsClear(() => readCheckpointBytes(lying(TF, 'torch-legacy')), CheckpointError, /PyTorch legacy checkpoint/);
  });

  it('the readers below it trust the kind too', () => {
    throwsClear(() => readStyleGanPickle(lying(PT, 'zip')), CheckpointError, /torch\.save checkpoint, not a StyleGAN network pickle/);
    throwsClear(() => readStyleGanPickle(lying(PT, 'tf-pickle')), CheckpointError, /TensorFlow-era network pickle, not a PyTorch StyleGAN snapshot/);
    throwsClear(() => readTfPickle(lying(TF, 'zip')), CheckpointError, /PyTorch torch\.save checkpoint/);
    throwsClear(() => readTfPickle(lying(TF, 'pickle')), CheckpointError, /does not start with a TensorFlow network/);
    throwsClear(() => loadTorchFile(lying(LEGACY, 'zip')), CheckpointError, /zip archive/);
    throwsClear(() => loadTorchFile(lying(ZIP, 'gif')), CheckpointError, /GIF image/);
    assert.equal(isLegacyTorchFile(lying(LEGACY, 'pickle')), false);
    assert.equal(isUgatitParams(lying(ZIP, 'pickle')), false);
    throwsClear(() => readUgatitParams(lying(ZIP, 'jpeg')), CheckpointError, /JPEG image/);
  });

  it('no module other than io/sniff.ts sniffs bytes itself (every reader goes through sniffFile)', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.ts')) files.push(join(dir, e.name));
      }
    };
    walk(join(repoRoot, 'src'));
    const callers = files.filter((f) => /\bsniffFileKind\(/.test(readFileSync(f, 'utf8').replace(/^\s*(\/\/|\*).*$/gm, '')));
    assert.deepEqual(callers.map((f) => f.slice(repoRoot.length + 1)), [join('src', 'io', 'sniff.ts')]);
  });
});
