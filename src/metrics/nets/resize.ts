// Image resizing inside feature-network graphs, written as two matrix products (rows, then columns) so it is
// exact to torch's weights and differentiable: F.interpolate(mode='bilinear', align_corners=False) as
// pytorch-fid resizes to 299, and F.interpolate(mode='area') (adaptive average pooling) as the VGG16 input.
import { resizeMatrix } from '../../drag/features.js';
import * as E from '../../engine/index.js';

/**
 * The [outSize, inSize] matrix of F.interpolate(mode='area') along one axis: output i averages input cells
 * floor(i * in / out) to ceil((i + 1) * in / out) - 1 (adaptive_avg_pool's windows).
 * @example areaMatrix(8, 4) // pairs of cells averaged
 */
export function areaMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const start = Math.floor((i * inSize) / outSize);
    const end = Math.ceil(((i + 1) * inSize) / outSize);
    for (let j = start; j < end; j++) m[i * inSize + j] = 1 / (end - start);
  }
  return m;
}

/** x [N, C, H, W] -> [N, C, outH, outW] as Ry x Rx^T per plane, given the row and column matrices. */
function separable(x: E.Tensor, ry: Float32Array, rx: Float32Array, outH: number, outW: number): E.Tensor {
  const [, , H, W] = x.shape as number[];
  const cols = E.matmul(x, E.constant(transpose(rx, outW, W!), [W!, outW])); // [N, C, H, outW]
  return E.matmul(E.constant(ry, [outH, H!]), cols); // [N, C, outH, outW]
}

/** Transposes a row-major [rows, cols] matrix. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c]!;
  return t;
}

/**
 * Bilinear resize as F.interpolate(x, size, mode='bilinear', align_corners=False) (no antialiasing); the identity
 * when the size already matches.
 * @example resizeBilinear(x, 299, 299) // pytorch-fid's resize_input
 */
export function resizeBilinear(x: E.Tensor, outH: number, outW: number): E.Tensor {
  const [, , H, W] = x.shape as number[];
  if (H === outH && W === outW) return x;
  return separable(x, resizeMatrix(H!, outH), resizeMatrix(W!, outW), outH, outW);
}

/**
 * Area resize as F.interpolate(x, size, mode='area'); the identity when the size already matches.
 * @example resizeArea(x, 224, 224)
 */
export function resizeArea(x: E.Tensor, outH: number, outW: number): E.Tensor {
  const [, , H, W] = x.shape as number[];
  if (H === outH && W === outW) return x;
  return separable(x, areaMatrix(H!, outH), areaMatrix(W!, outW), outH, outW);
}
