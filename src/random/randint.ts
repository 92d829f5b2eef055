// NumPy's legacy RandomState.randint on top of our exact MT19937 port (used by the SWD patch draws, the real
// image sample of the metric, and the training sampler's shuffle).
import { InputError } from '../errors.js';
import type { RandomState } from './numpy-random.js';

/**
 * NumPy's legacy `randint(low, high)` (int64, masked rejection on 32-bit draws, as RandomState.randint).
 * @example randint(new RandomState(0), 3, 13) // as np.random.RandomState(0).randint(3, 13)
 */
export function randint(rs: RandomState, low: number, high: number): number {
  const rng = high - 1 - low;
  if (rng < 0 || rng > 0xffffffff) throw new InputError(`randint: bad range [${low}, ${high})`);
  if (rng === 0) return low;
  let mask = rng;
  for (let s = 1; s <= 16; s *= 2) mask |= mask >>> s;
  mask >>>= 0;
  let v: number;
  do v = (rs.nextUint32() & mask) >>> 0;
  while (v > rng);
  return low + v;
}
