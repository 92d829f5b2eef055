// What every StyleGAN-family generator offers its consumers (CLI, video, DragGAN, training), whatever
// its architecture: StyleGAN2 and StyleGAN3 (and StyleGAN v1) generators implement this interface.
import type * as E from '../engine/index.js';
import type { NoiseMode } from '../nets/stylegan2/synthesis.js';

export interface MappingCallOptions {
  /** Truncation psi (default DEFAULT_PSI, 1: none). */
  psi?: number;
  /** Truncate only the first N ws (default: all). */
  cutoff?: number | null;
}

export interface SynthesisCallOptions {
  noiseMode?: NoiseMode;
  /** Seed of the noise for noiseMode 'random' (default 0). */
  noiseSeed?: number;
  /** The official fused (grouped-conv) formulation instead of the fast one (where the architecture has one). */
  fused?: boolean;
  /**
   * StyleGAN3 only: the user inverse transform of the input, a 3x3 matrix (9 values, row-major) as gen_images.py
   * stores in `synthesis.input.transform`; fed at run time (no recompilation). Other architectures reject it.
   */
  transform?: ArrayLike<number>;
}

export interface SynthesisGraphOptions extends SynthesisCallOptions {
  /**
   * Collects intermediate feature maps, in the order of the official (DragGAN) `feat` list: StyleGAN2 one per
   * synthesis block (`b4`, `b8`, ...), StyleGAN3 one per layer. DragGAN reads the entry at index 5.
   */
  features?: Map<string, E.Tensor>;
}

export interface Generator {
  /** The architecture family, e.g. 'stylegan2' or 'stylegan3'. */
  readonly arch: string;
  readonly engine: E.Engine;
  readonly zDim: number;
  readonly cDim: number;
  readonly wDim: number;
  readonly numWs: number;
  readonly imgResolution: number;
  readonly imgChannels: number;
  /** Number of compiled programs (ONNX Runtime sessions) held open. */
  readonly sessions: number;
  /** The tracked average w (`mapping.w_avg`). */
  wAvg(): Float32Array;
  /** The mapping graph: z [batch, zDim] (and c unless `classIdx` bakes a label in) -> ws [batch, numWs, wDim]. */
  mappingGraph(batch: number, o?: MappingCallOptions & { classIdx?: number }): { ws: E.Tensor };
  /** The synthesis graph: input 'ws' [batch, numWs, wDim] -> img [batch, C, R, R]. */
  synthesisGraph(batch: number, o?: SynthesisGraphOptions): { img: E.Tensor };
  /** The whole generator as one graph. */
  graph(batch: number, o?: MappingCallOptions & { noiseMode?: NoiseMode; classIdx?: number }): { img: E.Tensor };
  mapping(z: ArrayLike<number>, c: ArrayLike<number> | null, o?: MappingCallOptions): Promise<Float32Array>;
  synthesis(ws: Float32Array, o?: SynthesisCallOptions): Promise<Float32Array>;
  generate(z: ArrayLike<number>, c: ArrayLike<number> | null, o?: MappingCallOptions & SynthesisCallOptions): Promise<Float32Array>;
  dispose(): Promise<void>;
}
