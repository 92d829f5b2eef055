// stylelab: style-based GANs in TypeScript on ONNX Runtime. This entry is platform-neutral (Node and browsers);
// `stylelab/node` adds onnxruntime-node and file loading, `stylelab/web` adds onnxruntime-web.
export * from './errors.js';
export * as engine from './engine/index.js';
export { Engine, Program, ProgramCache, type EngineOptions, type OrtModule } from './engine/index.js';
export { RandomState, zFromSeed } from './random/numpy-random.js';
export { seededSource } from './random/source.js';
export { readStyleGanPickle, stateDict, type ModuleTree, type StyleGanSnapshot } from './io/stylegan-pkl.js';
export { loadTorchFile } from './io/torch.js';
export { readTfPickle, collectTfParams, type TfNetwork, type TfSnapshot } from './io/tf-pickle.js';
export { readTfCheckpoint } from './models/tf-checkpoint.js';
export { sniffFile, sniffFileKind, SniffedFile, type FileKind } from './io/sniff.js';
export { readNpy, readNpz, writeNpy } from './io/npy.js';
export { readSafetensors, writeSafetensors } from './io/safetensors.js';
export { toFloat32, type TensorData } from './io/tensor.js';
export { Weights } from './nets/weights.js';
export * from './nets/stylegan2/config.js';
export { type NoiseMode } from './nets/stylegan2/synthesis.js';
export { StyleGAN2Generator, StyleGAN2Discriminator, oneHot, type MappingCallOptions, type SynthesisCallOptions } from './models/stylegan2.js';
export type { Generator, SynthesisGraphOptions } from './models/generator.js';
export {
  readNvidiaPickle, readStylelabModel, writeStylelabModel, readCheckpointBytes, defaultGeneratorRole, FORMAT_VERSION, NETWORK_ROLES,
  type Checkpoint, type NetworkEntry, type NetworkRole, type StylelabConfigFile,
} from './models/checkpoint.js';
export { toUint8Image, styleMixWs, styleMix, parseSeeds, type StyleMixOptions, type MixableGenerator } from './models/generate.js';
export { DEFAULT_PSI, truncateWs } from './nets/truncation.js';
export { openGenerator, openDiscriminator } from './models/open.js';
export { StyleGAN1Generator, StyleGAN1Discriminator } from './models/stylegan1.js';
export * from './nets/stylegan1/config.js';
export { progressiveSchedule, lodChanged, STYLEGAN1_SCHEDULE, type ProgressiveSchedule, type ProgressiveScheduleOptions } from './nets/stylegan1/schedule.js';
export { type OpenedGenerator, type OpenedDiscriminator } from './models/open.js';
export { slicedWassersteinDistance, slicedWassersteinDistanceOnEngine, SWD_DEFAULTS, type SwdOptions, type SwdResult } from './metrics/swd.js';
export { sampleReals, generateImages, swdOfGenerator, type RealSample } from './metrics/swd-metric.js';
// Metrics (metric_main.py names) and their feature networks: LPIPS-VGG, VGG16, pytorch-fid's Inception.
export { Lpips, LpipsSession, readLpipsLinear, LPIPS_FILE } from './metrics/lpips.js';
export { Vgg16, readVgg16, VGG16_FILE } from './metrics/nets/vgg16.js';
export { FidInception, readInception, INCEPTION_FILE } from './metrics/nets/inception.js';
export {
  METRICS, metricsByName, imagesFor, type MetricDef, type MetricContext, type MetricOutcome, type FeatureNets, type FeatureNetKind, type ImageSource,
  type FeaturePlan, type FeatureRequest, type FeatureKind, type ProgressSink,
} from './metrics/registry.js';
export { computeMetrics, type MetricResult, type StatsCache } from './metrics/features.js';
export { frechetDistance, traceSqrtProduct, type Gaussian } from './metrics/fid.js';
export { MeanCovStats, AllFeatures, SelectedRows, type FeatureSink } from './metrics/feature-stats.js';
export { GeneratedImages, DatasetImages } from './metrics/image-sources.js';
export { kernelInceptionDistance, kidSubsets } from './metrics/kid.js';
export { InceptionScoreSplits } from './metrics/inception-score.js';
export { precisionRecall } from './metrics/precision-recall.js';
export { perceptualPathLength, pplGraph, type PplOptions } from './metrics/ppl.js';
export type { ImageDataset } from './data/image-dataset.js';
// StyleGAN3 (configs T and R).
export { StyleGAN3Generator, type SynthesisGraphOptions3 } from './models/stylegan3.js';
export { isStyleGAN3 } from './models/open.js';
export { type GeneratorConfig3, type SynthesisConfig3, DEFAULT_SYNTHESIS3, generatorConfig3FromKwargs, validateGeneratorConfig3, synthesisPlan } from './nets/stylegan3/config.js';
export { generator3Specs, initialize3 } from './nets/stylegan3/init.js';
export { makeTransform, invert3x3, inputTransform } from './nets/stylegan3/transform.js';
export { type GeneratorArch, GENERATOR_ARCHS } from './models/checkpoint.js';
export { InterpVideo, CubicSpline, loopSpline, interpVideoLayout, layoutGrid, shuffleLegacy, type InterpVideoOptions, type InterpVideoLayout } from './models/video.js';
export { DragSession, DRAG_DEFAULTS, fitLatent, type DragSessionOptions, type DragStart, type DragStepResult, type Point } from './drag/session.js';
export { readLatent, latentToNpy, latentToNpz, latentToJson, type LatentFile } from './drag/latent.js';
export { parseDragPoints, drawPoints } from './drag/points.js';
export { augmentPipe, augmentSpec, AUGMENT_PRESETS, AUGMENT_DEFAULTS, AdaController, type AugmentSpec, type AugmentPreset, type AdaControllerOptions } from './train/augment.js';
export { InfiniteSampler, realBatch, type RealBatch } from './data/sampler.js';
// U-GAT-IT: networks, checkpoints, the test-phase image pipeline.
export { type UgatitConfig, type UgatitNet, type Direction, UGATIT_NETS, DEFAULT_UGATIT_CONFIG, validateUgatitConfig } from './nets/ugatit/config.js';
export { UgatitModel, ugatitGraph, type UgatitResult } from './models/ugatit.js';
export { readUgatitParams, readUgatitModel, writeUgatitModel, isUgatitParams, type UgatitCheckpoint } from './models/ugatit-checkpoint.js';
export { resizeBilinearPil, toModelInput, toOutputImage, camImage, type ImageU8 } from './models/ugatit-pipeline.js';
// Projection of images into the latent space (projector.py).
export { Projector, projectorTarget, projectorUint8, projectStepGraph, targetTensor, wStats, type ProjectStepResult, type TargetImage } from './project/projector.js';
export { mseDistance, lpipsDistance, areaDownsample, areaDownsampleRef, DISTANCE_SIZE, type ProjectionDistance } from './project/distance.js';
export { DEFAULT_PROJECT_OPTIONS, validateProjectOptions, stepSchedule, type ProjectOptions, type StepSchedule } from './project/schedule.js';
export { noiseRegularization, noiseRegularizationRef, renormalizeNoise, type NoiseBuffer } from './project/noise.js';
export { resizePil, resizePilRef, centerCropSquare, PIL_FILTERS, type PilFilter, type PilFilterName } from './data/pil-resize.js';
// Equivariance metrics (EQ-T, EQ-T_frac, EQ-R) of StyleGAN3 networks.
export { equivariance, transformableGenerator, checkTransformable, EQ_METRICS, type EquivarianceKind, type EquivarianceOptions, type TransformableGenerator } from './metrics/equivariance.js';
export { integerTranslation, fractionalTranslation, fractionalRotation, fractionalRotationRef, fractionalPseudoRotation, affineBandlimitFilter, rotationMatrix, type Images, type Transformed, type Filter2d } from './metrics/equivariance-ops.js';
