// VGG16 (Simonyan & Zisserman 2015, configuration D) in torchvision's layout: `features.<i>` 3x3 convolutions
// with ReLU and 2x2 max pools, `classifier.0/3/6` fully connected layers. Read from torchvision's
// vgg16-397923af.pth. LPIPS reads the five ReLU taps relu1_2 ... relu5_3; precision/recall reads fc2 (4096).
import * as E from '../../engine/index.js';
import type { TensorData } from '../../io/tensor.js';
import { Weights } from '../../nets/weights.js';
import { resizeArea } from './resize.js';
import { readStateDict, type StateDictSpec } from './state-dict.js';

/** torchvision's file name of the ImageNet VGG16 weights. */
export const VGG16_FILE = 'vgg16-397923af.pth';

/** The `features.<i>` index of each conv of configuration D, grouped by stage (a 2x2 max pool closes each stage). */
export const VGG16_STAGES: readonly (readonly number[])[] = [
  [0, 2],
  [5, 7],
  [10, 12, 14],
  [17, 19, 21],
  [24, 26, 28],
];
/** Output channels of each stage. */
export const VGG16_CHANNELS = [64, 128, 256, 512, 512] as const;

/** What the file must be (the features and, for fc2, the classifier). */
export function vgg16Spec(withClassifier: boolean): StateDictSpec {
  return {
    what: `torchvision's VGG16 (${VGG16_FILE})`,
    signature: {
      'features.0.weight': [64, 3, 3, 3],
      'features.28.weight': [512, 512, 3, 3],
      ...(withClassifier ? { 'classifier.0.weight': [4096, 25088], 'classifier.3.weight': [4096, 4096] } : {}),
    },
  };
}

/** ImageNet normalisation torchvision's VGG16 was trained with (inputs in [0, 1]). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/**
 * The VGG16 weights of a state dict (torchvision names), shared by every graph built from them.
 * @example const vgg = new Vgg16(readVgg16(bytes, false));
 */
export class Vgg16 {
  readonly weights: Weights;
  constructor(stateDict: ReadonlyMap<string, TensorData>) {
    this.weights = new Weights(stateDict, 'VGG16', 'vgg16.');
  }

  /** conv3x3 (padding 1) + bias + ReLU of `features.<i>`. */
  private conv(x: E.Tensor, i: number): E.Tensor {
    const w = this.weights.tensor(`features.${i}.weight`);
    const b = this.weights.tensor(`features.${i}.bias`, [w.shape[0]!]);
    return E.relu(E.add(E.conv2d(x, w, { padding: 1 }), E.reshape(b, [1, w.shape[0]!, 1, 1])));
  }

  /**
   * The ReLU outputs closing each stage before its pool (relu1_2, relu2_2, relu3_3, relu4_3, relu5_3), for
   * x [N, 3, H, W] already normalised; `stages` limits how many are computed.
   * @example const taps = vgg.taps(x); // 5 maps, [N, 64, H, W] ... [N, 512, H/16, W/16]
   */
  taps(x: E.Tensor, stages = 5): E.Tensor[] {
    const out: E.Tensor[] = [];
    let h = x;
    for (let s = 0; s < stages; s++) {
      if (s > 0) h = E.maxPool2d(h, 2); // features.4, 9, 16, 23
      for (const i of VGG16_STAGES[s]!) h = this.conv(h, i);
      out.push(h);
    }
    return out;
  }

  /**
   * fc2 features (4096, after its ReLU) of uint8-range images x [N, 3, H, W] in [0, 255]: divided by 255, resized
   * to 224x224 (area), ImageNet-normalised, the conv stages, the last pool, fc1 + ReLU, fc2 + ReLU.
   * @example const f = vgg.fc2(x); // [N, 4096]
   */
  fc2(x: E.Tensor): E.Tensor {
    const [N] = x.shape as number[];
    const mean = E.constant(IMAGENET_MEAN.map((m) => m * 255), [1, 3, 1, 1]);
    const std = E.constant(IMAGENET_STD.map((s) => s * 255), [1, 3, 1, 1]);
    const h0 = E.div(E.sub(resizeArea(x, 224, 224), mean), std); // [N, 3, 224, 224]
    const h = E.maxPool2d(this.taps(h0).at(-1)!, 2); // [N, 512, 7, 7] (torchvision's adaptive pool is the identity here)
    const fc = (v: E.Tensor, i: number, inF: number) =>
      E.relu(E.linear(v, this.weights.tensor(`classifier.${i}.weight`, [4096, inF]), this.weights.tensor(`classifier.${i}.bias`, [4096])));
    return fc(fc(E.reshape(h, [N!, 512 * 7 * 7]), 0, 25088), 3, 4096); // [N, 4096]
  }
}

/**
 * Reads torchvision's VGG16 state dict (the features only, unless `withClassifier`), checking it is that file.
 * @example const vgg = new Vgg16(readVgg16(readFileSync('vgg16-397923af.pth'), true));
 */
export function readVgg16(bytes: Uint8Array, withClassifier: boolean): Map<string, TensorData> {
  const sd = readStateDict(bytes, vgg16Spec(withClassifier));
  if (!withClassifier) for (const k of [...sd.keys()]) if (!k.startsWith('features.')) sd.delete(k); // LPIPS: 59 MB, not 528
  return sd;
}
