// Fresh U-GAT-IT networks, initialised as PyTorch initialises the official modules: Conv2d and Linear weights
// kaiming_uniform(a=sqrt(5)) (uniform in +-1/sqrt(fan_in)), biases uniform in +-1/sqrt(fan_in), rho as the
// ILN/adaILN constructors set it, spectral-norm u and v normalised standard normal draws.
import type { TensorData } from '../../io/tensor.js';
import { netSpecs, UGATIT_NETS, type UgatitConfig, type UgatitNet, type UgatitParamSpec } from '../../nets/ugatit/config.js';
import type { UgatitCheckpoint } from '../../models/ugatit-checkpoint.js';
import { Rng } from './rng.js';

function initTensor(spec: UgatitParamSpec, rng: Rng): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  switch (spec.init) {
    case 'kaiming':
    case 'bias': {
      const bound = 1 / Math.sqrt(spec.fanIn!);
      for (let i = 0; i < n; i++) out[i] = (rng.uniform() * 2 - 1) * bound;
      return out;
    }
    case 'normal': {
      let norm = 0;
      for (let i = 0; i < n; i++) norm += (out[i] = rng.normal()) ** 2;
      norm = Math.max(Math.sqrt(norm), 1e-12);
      return out.map((v) => v / norm);
    }
    case 'rho0.9': return out.fill(0.9);
    case 'one': return out.fill(1);
    case 'rho0':
    case 'zero': return out;
  }
}

/**
 * Networks (default: all six) with fresh weights for a configuration (seeded, so runs are reproducible).
 * @example const ckpt = initUgatit(validateUgatitConfig({ ch: 64, light: true }), 0);
 */
export function initUgatit(config: UgatitConfig, seed: number, nets: readonly UgatitNet[] = UGATIT_NETS): UgatitCheckpoint {
  const rng = new Rng(seed, 0x1417);
  const networks: UgatitCheckpoint['networks'] = {};
  for (const net of nets) {
    const sd = new Map<string, TensorData>();
    for (const spec of netSpecs(config, net)) sd.set(spec.name, { dtype: 'float32', shape: [...spec.shape], data: initTensor(spec, rng) });
    networks[net] = sd;
  }
  return { arch: 'ugatit', format: 'stylelab', config, networks };
}
