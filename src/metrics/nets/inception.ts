// The Inception-v3 of FID, KID and IS as mseitzer/pytorch-fid ports TensorFlow's 2015-12-05 graph (Szegedy et al.
// 2016, "Rethinking the Inception Architecture"): torchvision's Inception3 with the FID patches (FIDInceptionA/C/E:
// average pools that exclude padding, max pool in the last block), read from pt_inception-2015-12-05-6726825d.pth.
// Input as pytorch-fid's InceptionV3(resize_input=True, normalize_input=True): [0, 1] images resized bilinearly to
// 299x299 (align_corners=False), then mapped to [-1, 1]. Outputs: pool3 [N, 2048] and the 1008 logits without the
// output bias (as stylegan2-ada's inception_score.py asks the detector for).
import * as E from '../../engine/index.js';
import { CheckpointError } from '../../errors.js';
import { type TensorData, toFloat32 } from '../../io/tensor.js';
import { resizeBilinear } from './resize.js';
import { readStateDict, type StateDictSpec } from './state-dict.js';

/** pytorch-fid's file name of the weights (its FID_WEIGHTS_URL). */
export const INCEPTION_FILE = 'pt_inception-2015-12-05-6726825d.pth';
/** torchvision BasicConv2d's BatchNorm epsilon. */
const BN_EPS = 1e-3;

/** What the file must be: the FID Inception's distinctive keys (a torchvision Inception has 1000 classes and AuxLogits). */
export const INCEPTION_SPEC: StateDictSpec = {
  what: `pytorch-fid's FID Inception (${INCEPTION_FILE})`,
  signature: { 'Conv2d_1a_3x3.conv.weight': [32, 3, 3, 3], 'Mixed_7c.branch_pool.conv.weight': [192, 2048, 1, 1], 'fc.weight': [1008, 2048] },
};

type Pair = [number, number];
/** Stride and padding of a BasicConv2d (the kernel comes from its weight). */
interface ConvSpec {
  stride?: number;
  pad?: number | Pair;
}

/**
 * The FID Inception's weights: every conv with its eval-mode BatchNorm folded in (w * gamma / sqrt(var + eps),
 * beta - mean * gamma / sqrt(var + eps)), and fc.weight for the logits.
 * @example const net = new FidInception(readInception(bytes)); const { pool3, logits } = net.graph(E.input('x', [8, 3, 64, 64]));
 */
export class FidInception {
  private readonly convs = new Map<string, { w: E.Parameter; b: E.Parameter }>();
  private readonly fc: E.Parameter;
  constructor(stateDict: ReadonlyMap<string, TensorData>) {
    const get = (name: string): TensorData => {
      const t = stateDict.get(name);
      if (!t) throw new CheckpointError(`${INCEPTION_SPEC.what}: missing tensor '${name}'`);
      return t;
    };
    for (const key of stateDict.keys()) {
      if (!key.endsWith('.conv.weight')) continue;
      const name = key.slice(0, -'.conv.weight'.length);
      const w = get(key);
      const O = w.shape[0]!;
      const gamma = toFloat32(get(`${name}.bn.weight`));
      const beta = toFloat32(get(`${name}.bn.bias`));
      const mean = toFloat32(get(`${name}.bn.running_mean`));
      const variance = toFloat32(get(`${name}.bn.running_var`));
      const src = toFloat32(w);
      const per = src.length / O;
      const wf = new Float32Array(src.length);
      const bf = new Float32Array(O);
      for (let o = 0; o < O; o++) {
        const s = gamma[o]! / Math.sqrt(variance[o]! + BN_EPS);
        for (let i = 0; i < per; i++) wf[o * per + i] = src[o * per + i]! * s;
        bf[o] = beta[o]! - mean[o]! * s;
      }
      this.convs.set(name, { w: new E.Parameter(`inception.${name}.w`, w.shape, wf), b: new E.Parameter(`inception.${name}.b`, [O], bf) });
    }
    const fc = get('fc.weight');
    this.fc = new E.Parameter('inception.fc.weight', fc.shape, toFloat32(fc));
  }

  /** BasicConv2d: conv (BatchNorm folded) + ReLU. */
  private basic(x: E.Tensor, name: string, o: ConvSpec = {}): E.Tensor {
    const c = this.convs.get(name);
    if (!c) throw new CheckpointError(`${INCEPTION_SPEC.what}: missing conv '${name}'`);
    const O = c.w.shape[0]!;
    const y = E.conv2d(x, c.w.tensor, { stride: o.stride ?? 1, padding: o.pad ?? 0 });
    return E.relu(E.add(y, E.reshape(c.b.tensor, [1, O, 1, 1])));
  }

  /** TensorFlow's 3x3 average pool (stride 1, padding 1) that averages only the cells inside the image. */
  private static tfAvgPool(x: E.Tensor): E.Tensor {
    return E.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false });
  }

  /** FIDInceptionA (Mixed_5b/c/d). */
  private blockA(x: E.Tensor, n: string): E.Tensor {
    const b1 = this.basic(x, `${n}.branch1x1`);
    const b5 = this.basic(this.basic(x, `${n}.branch5x5_1`), `${n}.branch5x5_2`, { pad: 2 });
    const b3 = this.basic(this.basic(this.basic(x, `${n}.branch3x3dbl_1`), `${n}.branch3x3dbl_2`, { pad: 1 }), `${n}.branch3x3dbl_3`, { pad: 1 });
    const bp = this.basic(FidInception.tfAvgPool(x), `${n}.branch_pool`);
    return E.concat([b1, b5, b3, bp], 1);
  }

  /** InceptionB (Mixed_6a): the 35 -> 17 reduction. */
  private blockB(x: E.Tensor, n: string): E.Tensor {
    const b3 = this.basic(x, `${n}.branch3x3`, { stride: 2 });
    const bd = this.basic(this.basic(this.basic(x, `${n}.branch3x3dbl_1`), `${n}.branch3x3dbl_2`, { pad: 1 }), `${n}.branch3x3dbl_3`, { stride: 2 });
    return E.concat([b3, bd, E.maxPool2d(x, 3, { stride: 2 })], 1);
  }

  /** FIDInceptionC (Mixed_6b..e): factorised 7x7 convolutions. */
  private blockC(x: E.Tensor, n: string): E.Tensor {
    const row: ConvSpec = { pad: [0, 3] }; // 1x7
    const col: ConvSpec = { pad: [3, 0] }; // 7x1
    const b1 = this.basic(x, `${n}.branch1x1`);
    const b7 = this.basic(this.basic(this.basic(x, `${n}.branch7x7_1`), `${n}.branch7x7_2`, row), `${n}.branch7x7_3`, col);
    let bd = this.basic(x, `${n}.branch7x7dbl_1`);
    bd = this.basic(this.basic(bd, `${n}.branch7x7dbl_2`, col), `${n}.branch7x7dbl_3`, row);
    bd = this.basic(this.basic(bd, `${n}.branch7x7dbl_4`, col), `${n}.branch7x7dbl_5`, row);
    const bp = this.basic(FidInception.tfAvgPool(x), `${n}.branch_pool`);
    return E.concat([b1, b7, bd, bp], 1);
  }

  /** InceptionD (Mixed_7a): the 17 -> 8 reduction. */
  private blockD(x: E.Tensor, n: string): E.Tensor {
    const b3 = this.basic(this.basic(x, `${n}.branch3x3_1`), `${n}.branch3x3_2`, { stride: 2 });
    let b7 = this.basic(this.basic(x, `${n}.branch7x7x3_1`), `${n}.branch7x7x3_2`, { pad: [0, 3] });
    b7 = this.basic(this.basic(b7, `${n}.branch7x7x3_3`, { pad: [3, 0] }), `${n}.branch7x7x3_4`, { stride: 2 });
    return E.concat([b3, b7, E.maxPool2d(x, 3, { stride: 2 })], 1);
  }

  /** FIDInceptionE_1 (Mixed_7b, average pool) and FIDInceptionE_2 (Mixed_7c, max pool, as the TF graph has it). */
  private blockE(x: E.Tensor, n: string, pool: 'avg' | 'max'): E.Tensor {
    const row: ConvSpec = { pad: [0, 1] }; // 1x3
    const col: ConvSpec = { pad: [1, 0] }; // 3x1
    const b1 = this.basic(x, `${n}.branch1x1`);
    const s3 = this.basic(x, `${n}.branch3x3_1`);
    const b3 = E.concat([this.basic(s3, `${n}.branch3x3_2a`, row), this.basic(s3, `${n}.branch3x3_2b`, col)], 1);
    const sd = this.basic(this.basic(x, `${n}.branch3x3dbl_1`), `${n}.branch3x3dbl_2`, { pad: 1 });
    const bd = E.concat([this.basic(sd, `${n}.branch3x3dbl_3a`, row), this.basic(sd, `${n}.branch3x3dbl_3b`, col)], 1);
    const pooled = pool === 'avg' ? FidInception.tfAvgPool(x) : E.maxPool2d(x, 3, { stride: 1, padding: 1 });
    const bp = this.basic(pooled, `${n}.branch_pool`);
    return E.concat([b1, b3, bd, bp], 1);
  }

  /**
   * The network on x [N, 3, H, W] holding pixel values in [0, 255] (uint8 images as float).
   * @example const { pool3, logits } = net.graph(E.input('x', [16, 3, 256, 256])); // [16, 2048], [16, 1008]
   */
  graph(x: E.Tensor): { pool3: E.Tensor; logits: E.Tensor } {
    const [N] = x.shape as number[];
    // pytorch-fid: ToTensor (/255), F.interpolate to 299 (bilinear, align_corners=False), 2x - 1.
    let h = E.sub(E.mul(resizeBilinear(E.div(x, 255), 299, 299), 2), 1); // [N, 3, 299, 299]
    h = this.basic(h, 'Conv2d_1a_3x3', { stride: 2 }); // [N, 32, 149, 149]
    h = this.basic(h, 'Conv2d_2a_3x3'); // [N, 32, 147, 147]
    h = this.basic(h, 'Conv2d_2b_3x3', { pad: 1 }); // [N, 64, 147, 147]
    h = E.maxPool2d(h, 3, { stride: 2 }); // [N, 64, 73, 73]
    h = this.basic(h, 'Conv2d_3b_1x1'); // [N, 80, 73, 73]
    h = this.basic(h, 'Conv2d_4a_3x3'); // [N, 192, 71, 71]
    h = E.maxPool2d(h, 3, { stride: 2 }); // [N, 192, 35, 35]
    for (const n of ['Mixed_5b', 'Mixed_5c', 'Mixed_5d']) h = this.blockA(h, n); // [N, 288, 35, 35]
    h = this.blockB(h, 'Mixed_6a'); // [N, 768, 17, 17]
    for (const n of ['Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e']) h = this.blockC(h, n); // [N, 768, 17, 17]
    h = this.blockD(h, 'Mixed_7a'); // [N, 1280, 8, 8]
    h = this.blockE(h, 'Mixed_7b', 'avg'); // [N, 2048, 8, 8]
    h = this.blockE(h, 'Mixed_7c', 'max'); // [N, 2048, 8, 8]
    const pool3 = E.reshape(E.mean(h, [2, 3]), [N!, 2048]); // adaptive average pool [N, 2048]
    const logits = E.matmul(pool3, E.transposeLast(this.fc.tensor)); // fc without its bias [N, 1008]
    return { pool3, logits };
  }
}

/**
 * Reads pytorch-fid's Inception state dict, checking it is that file.
 * @example const net = new FidInception(readInception(readFileSync('pt_inception-2015-12-05-6726825d.pth')));
 */
export function readInception(bytes: Uint8Array): Map<string, TensorData> {
  const sd = readStateDict(bytes, INCEPTION_SPEC);
  if (sd.has('AuxLogits.fc.weight')) throw new CheckpointError(`this is torchvision's Inception (inception_v3_google), not ${INCEPTION_SPEC.what}`);
  return sd;
}
