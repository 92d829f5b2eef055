// A seeded RandomSource for the graph runtime's random inputs (StyleGAN noise_mode 'random'): MT19937 uniforms
// and fast Box-Muller normals (exact NumPy streams matter only for z).
import type { RandomSource } from '../engine/runtime.js';
import { RandomState } from './numpy-random.js';
import { fastNormals } from './normal.js';

/**
 * Normal and uniform numbers from NumPy's legacy generator with the given seed (reproducible runs).
 * @example await program.run(feeds, { random: seededSource(42) });
 */
export function seededSource(seed: number): RandomSource {
  const rs = new RandomState(seed);
  return {
    normal: (n) => fastNormals(rs, n),
    uniform: (n) => Float32Array.from(rs.randomSamples(n)),
  };
}
