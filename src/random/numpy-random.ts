// An exact port of NumPy's legacy `np.random.RandomState(seed)` for integer seeds: MT19937 seeded
// with init_genrand (numpy's mt19937_seed), 53-bit random_sample, and the polar Box-Muller
// `legacy_gauss` that caches its second value. StyleGAN's gen_images.py draws z with
// `np.random.RandomState(seed).randn(1, z_dim)`. Uniform draws are bit-exact; Gaussian draws are
// bit-exact except when glibc's log misrounds (~0.06% of pairs, 1 ulp), see exact-log.ts.
import { InputError } from '../errors.js';
import { exactLog } from './exact-log.js';

/** MT19937 state size (numpy RK_STATE_LEN). */
const N = 624;
/** MT19937 middle word offset. */
const M = 397;

/**
 * The legacy NumPy random generator for one seed; every instance owns its own state.
 * @example new RandomState(0).randn(1, 512) // == np.random.RandomState(0).randn(1, 512)
 */
export class RandomState {
  private readonly key = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private gauss = 0;

  /**
   * Seeds like `np.random.RandomState(seed)` with an integer in [0, 2^32 - 1].
   * @example const rs = new RandomState(0); rs.randn(1, 512);
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new InputError(`seed must be an integer between 0 and 2**32 - 1, got ${seed}`);
    }
    // init_genrand: key[i] = 1812433253 * (key[i-1] ^ (key[i-1] >>> 30)) + i  (mod 2^32).
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.key[i] = s;
      s = (Math.imul(1812433253, s ^ (s >>> 30)) + i + 1) >>> 0;
    }
  }

  /**
   * The next raw 32-bit output of MT19937 (genrand_int32), as an unsigned number.
   * @example new RandomState(5489).nextUint32() // 3499211612
   */
  nextUint32(): number {
    if (this.pos === N) this.twist();
    let y = this.key[this.pos++]!;
    // Tempering.
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  // Regenerates all 624 words (numpy's mt19937_gen).
  private twist(): void {
    const k = this.key;
    for (let i = 0; i < N; i++) {
      const y = (k[i]! & 0x80000000) | (k[(i + 1) % N]! & 0x7fffffff);
      k[i] = k[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.pos = 0;
  }

  /**
   * One uniform double in [0, 1) with 53 random bits, like `random_sample()`.
   * @example new RandomState(0).randomSample() // 0.5488135039273248
   */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * One standard normal value, NumPy's legacy_gauss (polar method; every other call is the cached twin).
   * @example new RandomState(0).standardNormal() // 1.764052345967664
   */
  standardNormal(): number {
    return this.gaussian(exactLog);
  }

  /** legacy_gauss with the given natural logarithm (the uniform stream is the same whatever the log). */
  private gaussian(log: (x: number) => number): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const v = this.gauss;
      this.gauss = 0;
      return v;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /**
   * `randn(*shape)`: standard normal values in row-major order (shape only sizes the result).
   * @example new RandomState(0).randn(1, 512) // Float64Array(512)
   */
  randn(...shape: number[]): Float64Array {
    let n = 1;
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) throw new InputError(`randn dimensions must be non-negative integers, got ${d}`);
      n *= d;
    }
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.standardNormal();
    return out;
  }

  /**
   * `randn(n)` cast to float32, as a network casts NumPy's z (`torch.from_numpy(z).to(torch.float32)`): the same
   * stream with V8's Math.log, ~4x faster. Math.log's rare 1-ulp error in a double changes its float32 rounding
   * only when the double lies within an ulp of a float32 rounding boundary (about once in 5e8 values).
   * @example new RandomState(123).randnFloat32(10000 * 512) // projector.py's w_avg samples
   */
  randnFloat32(n: number): Float32Array {
    if (!Number.isSafeInteger(n) || n < 0) throw new InputError(`randn size must be a non-negative integer, got ${n}`);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.gaussian(Math.log);
    return out;
  }

  /**
   * `random_sample(size)`: `size` uniform doubles in [0, 1).
   * @example new RandomState(0).randomSamples(3) // [0.5488135039273248, 0.7151893663724195, 0.6027633760716439]
   */
  randomSamples(size: number): Float64Array {
    if (!Number.isSafeInteger(size) || size < 0) throw new InputError(`size must be a non-negative integer, got ${size}`);
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.randomSample();
    return out;
  }
}

/**
 * The latent StyleGAN's gen_images.py uses for a seed: `np.random.RandomState(seed).randn(1, zDim)`.
 * @example const z = zFromSeed(0, 512); // Float64Array(512), z[0] === 1.764052345967664
 */
export function zFromSeed(seed: number, zDim: number): Float64Array {
  return new RandomState(seed).randn(1, zDim);
}
