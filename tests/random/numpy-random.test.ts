import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { readNpy } from '../../src/io/npy.js';
import { exactLog } from '../../src/random/exact-log.js';
import { RandomState, zFromSeed } from '../../src/random/numpy-random.js';
import { fastNormals } from '../../src/random/normal.js';
import { fixture, repoRoot } from '../fixtures.js';

describe('NumPy legacy RandomState', () => {
  it('MT19937 raw outputs match init_genrand reference values', () => {
    const rs = new RandomState(5489);
    assert.deepEqual([0, 1, 2, 3, 4].map(() => rs.nextUint32()), [3499211612, 581869302, 3890346734, 3586334585, 545404204]);
    const rs0 = new RandomState(0);
    assert.deepEqual([0, 1, 2].map(() => rs0.nextUint32()), [2357136044, 2546248239, 3071714933]);
  });

  it('random_sample matches NumPy', () => {
    assert.deepEqual([...new RandomState(0).randomSamples(3)], [0.5488135039273248, 0.7151893663724195, 0.6027633760716439]);
    assert.equal(new RandomState(0).randomSample(), 0.5488135039273248);
  });

  it('randn matches NumPy float64 values exactly for several seeds', () => {
    const ref = JSON.parse(readFileSync(join(repoRoot, 'tests', 'random', 'data', 'randn-reference.json'), 'utf8')) as { randn40: Record<string, number[]> };
    for (const [seed, values] of Object.entries(ref.randn40)) {
      assert.deepEqual([...new RandomState(Number(seed)).randn(values.length)], values, `seed ${seed}`);
    }
  });

  it('the cached second Gaussian survives interleaved uniform draws, as in NumPy', () => {
    const rs = new RandomState(3);
    assert.deepEqual([...rs.randn(3)], [1.7886284734303186, 0.43650985051198943, 0.09649746807200862]);
    assert.deepEqual([...rs.randomSamples(2)], [0.8929469543476547, 0.8962930889334381]);
    assert.deepEqual([...rs.randn(2)], [-1.8634927033644908, -0.27738820251439905]);
  });

  it('every z_seed*.npy fixture is np.random.RandomState(seed).randn(1, z_dim), identical in float32', () => {
    const root = fixture();
    let checked = 0;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const folder = entry.name;
      const names = readdirSync(join(root, folder)).filter((n) => /^z_seed\d+\.npy$/.test(n));
      for (const name of names) {
        const z = readNpy(readFileSync(join(root, folder, name)));
        const seed = Number(/\d+/.exec(name)![0]);
        const zDim = z.shape[1]!;
        const ours = zFromSeed(seed, zDim);
        assert.deepEqual(z.shape, [1, zDim]);
        assert.deepEqual([...ours].map(Math.fround), [...z.data], `${folder}/${name}`);
        checked++;
      }
    }
    assert.ok(checked >= 7, `only ${checked} z fixtures found`);
  });

  it('randnFloat32 is randn cast to float32 (the same stream; 200k values of seed 123, then both continue alike)', () => {
    const [a, b] = [new RandomState(123), new RandomState(123)];
    const exact = a.randn(200001); // an odd count: the cached twin carries over
    const fast = b.randnFloat32(200001);
    assert.deepEqual(fast, Float32Array.from(exact));
    assert.equal(a.randomSample(), b.randomSample());
  });

  it('randn shapes and seed validation', () => {
    assert.equal(new RandomState(1).randn(2, 3, 4).length, 24);
    assert.equal(new RandomState(1).randn().length, 1);
    assert.throws(() => new RandomState(-1), InputError);
    assert.throws(() => new RandomState(2 ** 32), InputError);
    assert.throws(() => new RandomState(1.5), InputError);
    assert.doesNotThrow(() => new RandomState(2 ** 32 - 1));
    assert.throws(() => new RandomState(0).randn(-1), InputError);
  });

  it('exactLog is correctly rounded on values where Math.log may not be', () => {
    assert.equal(exactLog(1), 0);
    assert.equal(exactLog(Math.E), 1);
    assert.equal(exactLog(0), -Infinity);
    assert.ok(Number.isNaN(exactLog(-1)));
    assert.equal(exactLog(2), Math.LN2);
    assert.equal(exactLog(Number.MIN_VALUE), -744.4400719213812);
    assert.equal(exactLog(0.8398815210314088), -0.17449444348393545); // correctly rounded (50-digit Decimal); glibc gives ...542
  });
});

describe('fast normals (noise and initialisation)', () => {
  it('deterministic per seed, standard normal moments', () => {
    const a = fastNormals(new RandomState(3), 200_001);
    assert.deepEqual(a.subarray(0, 10), fastNormals(new RandomState(3), 10));
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
    const kurtosis = a.reduce((s, v) => s + (v - mean) ** 4, 0) / a.length / variance ** 2;
    assert.ok(Math.abs(mean) < 0.01 && Math.abs(variance - 1) < 0.02 && Math.abs(kurtosis - 3) < 0.1, `mean ${mean} var ${variance} kurtosis ${kurtosis}`);
    assert.ok(a.every(Number.isFinite));
  });
});
