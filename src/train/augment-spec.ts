// What the ADA pipeline does: per-augmentation probability multipliers and strengths, with the official
// defaults and presets of stylegan2-ada-pytorch (training/augment.py AugmentPipe, train.py augpipe_specs).
import { InputError } from '../errors.js';

/**
 * Probability multipliers (0 disables an augmentation; its probability per sample is multiplier * p) and
 * strengths. Names follow the official AugmentPipe arguments, camel-cased.
 */
export interface AugmentSpec {
  // Pixel blitting.
  /** x-flip. */
  xflip: number;
  /** Rotation by a multiple of 90 degrees. */
  rotate90: number;
  /** Integer translation. */
  xint: number;
  /** Range of integer translation, relative to the image size. */
  xintMax: number;
  // General geometric transformations.
  /** Isotropic scaling. */
  scale: number;
  /** Arbitrary rotation (applied before and after anisotropic scaling, each with p_rot so that P(either) = p). */
  rotate: number;
  /** Anisotropic scaling. */
  aniso: number;
  /** Fractional translation. */
  xfrac: number;
  /** Log2 standard deviation of isotropic scaling. */
  scaleStd: number;
  /** Range of arbitrary rotation, 1 = full circle. */
  rotateMax: number;
  /** Log2 standard deviation of anisotropic scaling. */
  anisoStd: number;
  /** Standard deviation of fractional translation, relative to the image size. */
  xfracStd: number;
  // Colour transformations.
  brightness: number;
  contrast: number;
  /** Luma flip (Householder reflection about the luma axis). */
  lumaflip: number;
  /** Hue rotation about the luma axis. */
  hue: number;
  saturation: number;
  brightnessStd: number;
  /** Log2 standard deviation of contrast. */
  contrastStd: number;
  /** Range of hue rotation, 1 = full circle. */
  hueMax: number;
  /** Log2 standard deviation of saturation. */
  saturationStd: number;
  // Image-space filtering.
  imgfilter: number;
  /** Probability multipliers of the four frequency bands. */
  imgfilterBands: [number, number, number, number];
  /** Log2 standard deviation of a band's amplification. */
  imgfilterStd: number;
  // Image-space corruptions.
  /** Additive RGB noise. */
  noise: number;
  cutout: number;
  noiseStd: number;
  /** Size of the cutout square, relative to the image size. */
  cutoutSize: number;
}

/** Every augmentation off, strengths at the official defaults. */
export const AUGMENT_DEFAULTS: Readonly<AugmentSpec> = Object.freeze({
  xflip: 0, rotate90: 0, xint: 0, xintMax: 0.125,
  scale: 0, rotate: 0, aniso: 0, xfrac: 0, scaleStd: 0.2, rotateMax: 1, anisoStd: 0.2, xfracStd: 0.125,
  brightness: 0, contrast: 0, lumaflip: 0, hue: 0, saturation: 0, brightnessStd: 0.2, contrastStd: 0.5, hueMax: 1, saturationStd: 1,
  imgfilter: 0, imgfilterBands: [1, 1, 1, 1], imgfilterStd: 1,
  noise: 0, cutout: 0, noiseStd: 0.1, cutoutSize: 0.5,
}) as AugmentSpec;

export type AugmentPreset = 'blit' | 'geom' | 'color' | 'filter' | 'noise' | 'cutout' | 'bg' | 'bgc' | 'bgcf' | 'bgcfn' | 'bgcfnc';

const BLIT = { xflip: 1, rotate90: 1, xint: 1 };
const GEOM = { scale: 1, rotate: 1, aniso: 1, xfrac: 1 };
const COLOR = { brightness: 1, contrast: 1, lumaflip: 1, hue: 1, saturation: 1 };
const make = (...parts: Partial<AugmentSpec>[]): AugmentSpec => Object.freeze(Object.assign({}, AUGMENT_DEFAULTS, { imgfilterBands: [1, 1, 1, 1] }, ...parts)) as AugmentSpec;

/** The official presets (train.py `augpipe_specs`); 'bgc' is the default of `--aug ada`. */
export const AUGMENT_PRESETS: Readonly<Record<AugmentPreset, AugmentSpec>> = Object.freeze({
  blit: make(BLIT),
  geom: make(GEOM),
  color: make(COLOR),
  filter: make({ imgfilter: 1 }),
  noise: make({ noise: 1 }),
  cutout: make({ cutout: 1 }),
  bg: make(BLIT, GEOM),
  bgc: make(BLIT, GEOM, COLOR),
  bgcf: make(BLIT, GEOM, COLOR, { imgfilter: 1 }),
  bgcfn: make(BLIT, GEOM, COLOR, { imgfilter: 1, noise: 1 }),
  bgcfnc: make(BLIT, GEOM, COLOR, { imgfilter: 1, noise: 1, cutout: 1 }),
});

/**
 * A spec from a preset name with some fields overridden; rejects unknown presets and fields.
 * @example augmentSpec('bgc', { hue: 0 })
 */
export function augmentSpec(preset: AugmentPreset | string, overrides: Partial<AugmentSpec> = {}): AugmentSpec {
  const base = (AUGMENT_PRESETS as Record<string, AugmentSpec>)[preset];
  if (!base) throw new InputError(`unknown augmentation preset '${preset}' (expected one of ${Object.keys(AUGMENT_PRESETS).join(', ')})`);
  for (const k of Object.keys(overrides)) if (!(k in AUGMENT_DEFAULTS)) throw new InputError(`unknown augmentation field '${k}'`);
  return { ...base, ...overrides };
}

/** Low-pass filters of the wavelets the official pipeline uses (sym6 for geometry, sym2 for the filter bank). */
export const WAVELETS = {
  sym2: [-0.12940952255092145, 0.22414386804185735, 0.836516303737469, 0.48296291314469025],
  sym6: [
    0.015404109327027373, 0.0034907120842174702, -0.11799011114819057, -0.048311742585633, 0.4910559419267466, 0.787641141030194,
    0.3379294217276218, -0.07263752278646252, -0.021060292512300564, 0.04472490177066578, 0.0017677118642428036, -0.007800708325034148,
  ],
} as const;

/** Full 1-D convolution (numpy.convolve). */
function convolve(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  a.forEach((x, i) => b.forEach((y, j) => (out[i + j]! += x * y)));
  return out;
}

/**
 * The official image-space filter bank: 4 bands (rows) of 43 taps from the sym2 wavelet, built by repeated
 * zero-insertion and low-pass filtering; a per-sample gain vector g gives the filter g @ bank.
 * @example const bank = imgfilterBank(); // [4][43]
 */
export function imgfilterBank(): number[][] {
  const lo = WAVELETS.sym2;
  const hi = lo.map((v, k) => v * (-1) ** k); // H(-z)
  const lo2 = convolve(lo, [...lo].reverse()).map((v) => v / 2); // H(z) H(z^-1) / 2
  const hi2 = convolve(hi, [...hi].reverse()).map((v) => v / 2);
  let bank = [[1], [0], [0], [0]];
  for (let i = 1; i < bank.length; i++) {
    bank = bank.map((row) => convolve(row.flatMap((v, k) => (k + 1 < row.length ? [v, 0] : [v])), lo2)); // upsample, then low-pass
    const start = (bank[i]!.length - hi2.length) / 2;
    hi2.forEach((v, k) => (bank[i]![start + k]! += v));
  }
  return bank;
}
