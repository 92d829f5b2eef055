// Checks shared by the configurations of every architecture: one clear CheckpointError naming the field.
import { CheckpointError } from '../errors.js';

/** Checks an integer field against bounds, naming it. */
export function int(v: unknown, name: string, lo: number, hi: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new CheckpointError(`${name} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
}

/** Checks conv_clamp: a non-negative number or null. */
export function clampValue(v: unknown): void {
  if (v !== null && !(typeof v === 'number' && v >= 0)) throw new CheckpointError(`conv_clamp must be a non-negative number or null, got ${JSON.stringify(v)}`);
}

/** The generator dimensions any architecture has (`synthesis`, `mapping` sections and the sizes they share), checked; z_dim from `zMin`. */
export function validateGeneratorDims(
  c: { zDim: number; cDim: number; wDim: number; imgResolution: number; imgChannels: number; mapping: object; synthesis: { wDim: number; imgResolution: number; imgChannels: number } },
  zMin: number,
): void {
  if (typeof c !== 'object' || c === null || typeof c.mapping !== 'object' || typeof c.synthesis !== 'object' || !c.mapping || !c.synthesis) throw new CheckpointError('generator configuration must have mapping and synthesis sections');
  int(c.imgResolution, 'img_resolution', 4, 8192);
  if (!Number.isInteger(Math.log2(c.imgResolution))) throw new CheckpointError(`img_resolution must be a power of two >= 4, got ${c.imgResolution}`);
  int(c.zDim, 'z_dim', zMin, 65536);
  int(c.cDim, 'c_dim', 0, 1 << 20);
  int(c.wDim, 'w_dim', 1, 65536);
  int(c.imgChannels, 'img_channels', 1, 16);
  const s = c.synthesis;
  if (s.wDim !== c.wDim || s.imgResolution !== c.imgResolution || s.imgChannels !== c.imgChannels) throw new CheckpointError("synthesis w_dim, img_resolution and img_channels must equal the generator's");
}
