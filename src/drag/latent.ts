// Latent files for drag sessions, as bytes (platform-neutral): stylelab's JSON, NumPy .npy, and the
// projected_w.npz that the official projector (stylegan2-ada-pytorch projector.py, PTI) writes.
import { zipSync } from 'fflate';
import { InputError } from '../errors.js';
import { readNpy, readNpz, writeNpy } from '../io/npy.js';
import { toFloat32, type TensorData } from '../io/tensor.js';

/** stylelab's latent file: JSON with the shape and the values. */
export interface LatentFile {
  format: 'stylelab-latent';
  version: 1;
  shape: [1, number, number];
  w: number[];
}

/** The latent as ws [numWs * wDim] from an array of shape [1, numWs, wDim], [numWs, wDim], [1, wDim] or [wDim]. */
function fitShape(t: TensorData, numWs: number, wDim: number, what: string): Float32Array {
  const s = [...t.shape];
  while (s.length > 1 && s[0] === 1) s.shift(); // leading batch axes of 1
  const v = toFloat32(t);
  if (s.length === 2 && s[0] === numWs && s[1] === wDim) return Float32Array.from(v);
  if (s.length === 1 && s[0] === wDim) {
    const ws = new Float32Array(numWs * wDim);
    for (let r = 0; r < numWs; r++) ws.set(v, r * wDim);
    return ws;
  }
  throw new InputError(`${what} has shape [${t.shape.join(', ')}]; this network needs [1, ${numWs}, ${wDim}] (or one w of ${wDim})`);
}

/**
 * Reads a latent (stylelab JSON, .npy, or projected_w.npz with its array 'w') as ws [numWs * wDim].
 * @example const ws = readLatent(bytes, G.numWs, G.wDim, 'projected_w.npz');
 */
export function readLatent(bytes: Uint8Array, numWs: number, wDim: number, what = 'the latent'): Float32Array {
  let t: TensorData;
  try {
    if (bytes[0] === 0x93) t = readNpy(bytes);
    else if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
      const arrays = readNpz(bytes);
      const w = arrays.get('w') ?? (arrays.size === 1 ? [...arrays.values()][0] : undefined);
      if (!w) throw new InputError(`${what}: the .npz holds [${[...arrays.keys()].join(', ')}], expected an array 'w' (projected_w.npz)`);
      t = w;
    } else {
      const j = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LatentFile>;
      if (j.format !== 'stylelab-latent' || !Array.isArray(j.shape) || !Array.isArray(j.w)) throw new InputError(`${what} is not a stylelab latent (format 'stylelab-latent')`);
      if (j.w.length !== j.shape.reduce((a, b) => a * b, 1)) throw new InputError(`${what}: shape [${j.shape.join(', ')}] does not match its ${j.w.length} values`);
      t = { dtype: 'float32', shape: j.shape, data: Float32Array.from(j.w) };
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${what} cannot be read: ${(e as Error).message} (expected .npy, projected_w.npz or a stylelab latent .json)`);
  }
  if (!['float32', 'float64', 'float16'].includes(t.dtype)) throw new InputError(`${what} holds ${t.dtype} values, expected floats`);
  const ws = fitShape(t, numWs, wDim, what);
  if (!ws.every(Number.isFinite)) throw new InputError(`${what} holds values that are not finite`);
  return ws;
}

/** The ws array [1, numWs, wDim] as TensorData. */
const asTensor = (ws: Float32Array, numWs: number, wDim: number): TensorData => {
  if (ws.length !== numWs * wDim) throw new InputError(`expected ${numWs * wDim} latent values, got ${ws.length}`);
  return { dtype: 'float32', shape: [1, numWs, wDim], data: Float32Array.from(ws) };
};

/** ws as a float32 .npy of shape [1, numWs, wDim]. @example writeFileSync('w.npy', latentToNpy(s.latent(), G.numWs, G.wDim)) */
export function latentToNpy(ws: Float32Array, numWs: number, wDim: number): Uint8Array {
  return writeNpy(asTensor(ws, numWs, wDim));
}

/** ws as projected_w.npz (array 'w' [1, numWs, wDim]), readable by the official tools. @example latentToNpz(ws, 16, 512) */
export function latentToNpz(ws: Float32Array, numWs: number, wDim: number): Uint8Array {
  return zipSync({ 'w.npy': latentToNpy(ws, numWs, wDim) }, { level: 0 });
}

/** ws in stylelab's JSON latent format. @example latentToJson(ws, 16, 512) */
export function latentToJson(ws: Float32Array, numWs: number, wDim: number): Uint8Array {
  const f: LatentFile = { format: 'stylelab-latent', version: 1, shape: [1, numWs, wDim], w: Array.from(asTensor(ws, numWs, wDim).data as Float32Array) };
  return new TextEncoder().encode(JSON.stringify(f));
}
