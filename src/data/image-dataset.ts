// The training data interface (platform-neutral: the metrics and the training loop use it in any runtime;
// openDataset in dataset.ts implements it on Node).

/** A square image data set for training. */
export interface ImageDataset {
  readonly source: string; // path it was opened from
  readonly size: number; // number of images (without mirroring)
  readonly resolution: number; // square, power of two
  readonly channels: number; // 1 or 3
  readonly labelDim: number; // 0 when unlabelled (or labels not used)
  /** uint8 [C, R, R] (CHW), i in [0, size); a fresh array the caller may modify. */
  image(i: number): Promise<Uint8Array>;
  /** One-hot [labelDim] (length 0 when labelDim is 0); a label vector as stored when dataset.json holds vectors. */
  label(i: number): Float32Array;
  /** Releases the file handle and the cache; the data set cannot be read afterwards. */
  close(): Promise<void>;
}
