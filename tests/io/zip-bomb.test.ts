// Zip bombs are refused while inflating: a torch.save storage entry may not inflate past the bytes the pickle
// says its storage needs, any entry past the size it declares, and a data set entry past the per-entry cap. Each
// bomb here inflates to 1 GiB of zeros (about 6.6 MB on disk); the refusal must come quickly and without
// allocating anything near that (the old readers inflated the whole entry first).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inflateSync, unzipSync } from 'fflate';
import { ZipReader } from '../../src/data/zip-reader.js';
import { CheckpointError, InputError } from '../../src/errors.js';
import { readNpz } from '../../src/io/npy.js';
import { loadTorchFile } from '../../src/io/torch.js';
import { fixture } from '../fixtures.js';
import { type BombEntry, zerosDeflate, zipOf } from './zip-bomb.js';

const GiB = 2 ** 30;
const bomb = zerosDeflate(Math.ceil(GiB / 258)); // inflates to just over 1 GiB

/** Runs `f`, which must throw `type` matching `pattern`, in well under a second and without a large allocation. */
function refusedQuickly(f: () => unknown, type: new (...a: never[]) => Error, pattern: RegExp): void {
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  assert.throws(f, (e: unknown) => e instanceof type && pattern.test((e as Error).message));
  const ms = performance.now() - t0;
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(ms < 500, `refused after ${ms.toFixed(0)} ms`);
  assert.ok(grown < 64 * 2 ** 20, `${(grown / 2 ** 20).toFixed(0)} MiB of array buffers allocated`);
}

/** The U-GAT-IT fixture with one entry replaced. */
function ugatitWith(victim: string, replacement: (name: string) => BombEntry): Uint8Array {
  const files = unzipSync(readFileSync(fixture('ugatit-light-tiny', 'fixture_params_0000100.pt')));
  return zipOf(Object.entries(files).map(([name, stored]) => (name.endsWith(victim) ? replacement(name) : { name, stored })));
}

describe('zip bombs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stylelab-zip-bomb-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the hand-made deflate stream inflates to zeros of its stated size', () => {
    const small = zerosDeflate(1000);
    const out = inflateSync(small.raw);
    assert.equal(out.length, small.size);
    assert.ok(out.every((v) => v === 0));
    assert.ok(bomb.raw.length < 8e6 && bomb.size > GiB);
  });

  it('torch.save: a 64-byte storage entry replaced by 1 GiB of zeros is refused, declared honestly or not', () => {
    const honest = ugatitWith('/data/0', (name) => ({ name, deflated: bomb.raw, declaredSize: bomb.size }));
    refusedQuickly(() => loadTorchFile(honest), CheckpointError, /data\/0 holds more than the 64 bytes its storage \(16 float32\) needs/);
    const lying = ugatitWith('/data/0', (name) => ({ name, deflated: bomb.raw, declaredSize: 64 }));
    refusedQuickly(() => loadTorchFile(lying), CheckpointError, /data\/0 inflates past the 64 bytes it declares/);
  });

  it('torch.save: a bomb in data.pkl is refused past its declared size', () => {
    const lying = ugatitWith('/data.pkl', (name) => ({ name, deflated: bomb.raw, declaredSize: 28947 }));
    refusedQuickly(() => loadTorchFile(lying), CheckpointError, /data\.pkl inflates past the 28947 bytes it declares/);
  });

  it('the fixture rebuilt by the bomb builder still loads (the builder makes valid archives)', () => {
    const same = ugatitWith('/data/0', (name) => ({ name, stored: unzipSync(readFileSync(fixture('ugatit-light-tiny', 'fixture_params_0000100.pt')))[name]! }));
    assert.ok(loadTorchFile(same) instanceof Map);
  });

  it('.npz: an array entry that inflates past its declared size is refused', () => {
    refusedQuickly(() => readNpz(zipOf([{ name: 'w.npy', deflated: bomb.raw, declaredSize: 1000 }])), CheckpointError, /w\.npy inflates past the 1000 bytes/);
  });

  it('data set zips: an image entry is refused past the per-entry cap (unread) or past its declared size', async () => {
    const path = join(dir, 'bomb.zip');
    writeFileSync(path, zipOf([
      { name: 'big.png', deflated: bomb.raw, declaredSize: bomb.size },
      { name: 'small.png', deflated: bomb.raw, declaredSize: 100 },
    ]));
    const z = await ZipReader.open(path);
    try {
      for (const [name, pattern] of [['big.png', new RegExp(`big\\.png declares ${bomb.size} bytes, more than the 268435456 one entry may hold`)], ['small.png', /small\.png inflates past the 100 bytes it declares/]] as [string, RegExp][]) {
        const before = process.memoryUsage().arrayBuffers;
        const t0 = performance.now();
        await assert.rejects(z.read(name), (e: unknown) => e instanceof InputError && pattern.test((e as Error).message));
        assert.ok(performance.now() - t0 < 500, `${name} refused after ${(performance.now() - t0).toFixed(0)} ms`);
        assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20, `${name}: large allocation`);
      }
    } finally {
      await z.close();
    }
  });
});
