// Image decoding for data sets (sharp): uint8 pixels as the official code sees them through PIL, grayscale kept
// as 1 channel, an alpha channel dropped when fully opaque and refused otherwise (no silent compositing).
import sharp, { type OutputInfo } from 'sharp';
import { InputError } from '../errors.js';

/** Decoded pixels, HWC uint8. */
export interface DecodedImage {
  data: Uint8Array; // [H, W, C]
  width: number;
  height: number;
  channels: number; // 1 or 3
}

/**
 * Removes the alpha channel of HWC pixels (`channels` = 2 or 4) if every pixel is opaque; null otherwise.
 * @example dropOpaqueAlpha(rgba, 4) // rgb, or null if some alpha < 255
 */
export function dropOpaqueAlpha(hwc: Uint8Array, channels: number): Uint8Array | null {
  const c = channels - 1;
  const n = hwc.length / channels;
  const out = new Uint8Array(n * c);
  for (let i = 0; i < n; i++) {
    if (hwc[i * channels + c] !== 255) return null;
    for (let k = 0; k < c; k++) out[i * c + k] = hwc[i * channels + k]!;
  }
  return out;
}

/**
 * Decodes an image file's bytes; errors name the file (`name`) and say what is wrong.
 * @example const { data, width, height, channels } = await decodeImage(bytes, 'cats/0001.png');
 */
export async function decodeImage(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  let data: Buffer;
  let info: OutputInfo;
  try {
    const image = sharp(bytes, { failOn: 'error' });
    const meta = await image.metadata();
    // sharp would expand grayscale to RGB: keep it as one channel (plus alpha), as PIL's 'L'/'LA' modes.
    const gray = meta.space === 'b-w' || meta.space === 'grey16';
    ({ data, info } = await (gray ? image.toColourspace('b-w') : image.toColourspace('srgb')).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw new InputError(`${name}: cannot decode the image (${(e as Error).message.split('\n')[0]})`);
  }
  let pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let channels = info.channels;
  if (channels === 2 || channels === 4) {
    const opaque = dropOpaqueAlpha(pixels, channels);
    if (!opaque) throw new InputError(`${name}: the image has transparent pixels (only RGB or grayscale images, or fully opaque alpha, are accepted)`);
    pixels = opaque;
    channels -= 1;
  }
  if (channels !== 1 && channels !== 3) throw new InputError(`${name}: ${channels} channels (expected RGB or grayscale)`);
  return { data: pixels, width: info.width, height: info.height, channels };
}

/**
 * HWC pixels to CHW (the layout of training/dataset.py).
 * @example const chw = hwcToChw(img.data, img.height, img.width, img.channels); // [C, H, W]
 */
export function hwcToChw(hwc: Uint8Array, height: number, width: number, channels: number): Uint8Array {
  const hw = height * width;
  const out = new Uint8Array(hw * channels);
  for (let p = 0; p < hw; p++) for (let c = 0; c < channels; c++) out[c * hw + p] = hwc[p * channels + c]!;
  return out;
}
