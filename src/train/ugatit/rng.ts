// Small seeded random numbers for training (data order, augmentation, initialisation). Stateless per
// (seed, stream): every draw of an iteration derives from the iteration number, so a resumed run makes the
// same choices as an uninterrupted one without saving generator state.

/** mulberry32 with a 32-bit state, uniform in [0, 1), plus Box-Muller normals. */
export class Rng {
  private a: number;
  constructor(seed: number, stream = 0) {
    // Mix seed and stream into the state (splitmix-style), so nearby seeds give unrelated sequences.
    let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream >>> 0, 0x85ebca6b)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
    this.a = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  }
  uniform(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }
}
