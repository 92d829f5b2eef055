// Where the metrics' feature networks come from on Node: the files users already have, named by --inception,
// --vgg16 and --lpips, or found under their usual names in the folder STYLELAB_METRIC_NETS names. The official
// code downloads them at run time; stylelab never does: a missing file gets one line naming the file, where to
// get it and the flag. The files are read with the allow-list torch.save readers (nothing in them is executed),
// once per run, and identified for the statistics cache by a hash of their bytes.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { Lpips, LPIPS_FILE, readLpipsLinear } from './lpips.js';
import { FidInception, INCEPTION_FILE, readInception } from './nets/inception.js';
import { readVgg16, Vgg16, VGG16_FILE } from './nets/vgg16.js';
import type { FeatureNetKind, FeatureNets } from './metric.js';

/** The environment variable naming a folder of feature-network files. */
export const METRIC_NETS_ENV = 'STYLELAB_METRIC_NETS';

/** Each feature network: its usual file name, the flag naming it, where users get it, and what it is. */
export const FEATURE_NET_FILES: Readonly<Record<FeatureNetKind, { file: string; flag: string; url: string; what: string }>> = {
  inception: {
    file: INCEPTION_FILE,
    flag: '--inception',
    url: 'https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth',
    what: "pytorch-fid's Inception weights",
  },
  vgg16: {
    file: VGG16_FILE,
    flag: '--vgg16',
    url: 'https://download.pytorch.org/models/vgg16-397923af.pth',
    what: "torchvision's VGG16 weights",
  },
  lpips: {
    file: LPIPS_FILE,
    flag: '--lpips',
    url: 'https://github.com/richzhang/PerceptualSimilarity/raw/master/lpips/weights/v0.1/vgg.pth',
    what: 'the LPIPS v0.1 VGG linear layers',
  },
};

/** The files given on the command line (any may be absent) and the folder to look in otherwise. */
export interface NetFileOptions {
  inception?: string;
  vgg16?: string;
  lpips?: string;
  /** Default: the STYLELAB_METRIC_NETS environment variable. */
  folder?: string;
}

/**
 * The path of a feature network's file: the flag's file, else the usual name in the folder; one clear line when
 * neither is there. `neededBy` names the metric asking.
 * @example resolveNetFile('inception', { folder: '/models/metrics' }, 'fid50k_full') // '/models/metrics/pt_inception-...pth'
 */
export function resolveNetFile(kind: FeatureNetKind, o: NetFileOptions, neededBy: string): string {
  const f = FEATURE_NET_FILES[kind];
  const given = o[kind];
  if (given !== undefined) {
    if (!existsSync(given) || !statSync(given).isFile()) throw new InputError(`${f.flag} ${given}: no such file (${neededBy} needs ${f.what}, ${f.file}, from ${f.url})`);
    return given;
  }
  const folder = o.folder ?? process.env[METRIC_NETS_ENV];
  if (folder) {
    const path = join(folder, f.file);
    if (existsSync(path)) return path;
  }
  const where = folder ? `it is not in ${METRIC_NETS_ENV}=${folder}` : `pass ${f.flag} FILE or set ${METRIC_NETS_ENV} to its folder`;
  throw new InputError(`${neededBy} needs ${f.what} ${f.file} (download it from ${f.url}); ${where}`);
}

/**
 * Feature networks read from files on first use and kept for the run; `hash(kind)` identifies a file's content.
 * @example const nets = new NetFiles({ inception: 'pt_inception-2015-12-05-6726825d.pth' }); nets.inception('fid50k_full');
 */
export class NetFiles implements FeatureNets {
  private readonly cache = new Map<string, unknown>();
  private readonly hashes = new Map<FeatureNetKind, string>();
  constructor(private readonly o: NetFileOptions = {}) {}

  /** The file's bytes, hashed on the way (SHA-256) for the statistics cache. */
  private bytes(kind: FeatureNetKind, neededBy: string): Uint8Array {
    const bytes = new Uint8Array(readFileSync(resolveNetFile(kind, this.o, neededBy)));
    this.hashes.set(kind, createHash('sha256').update(bytes).digest('hex'));
    return bytes;
  }

  private once<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  inception(neededBy: string): FidInception {
    return this.once('inception', () => new FidInception(readInception(this.bytes('inception', neededBy))));
  }

  vgg16(neededBy: string): Vgg16 {
    return this.once('vgg16', () => new Vgg16(readVgg16(this.bytes('vgg16', neededBy), true)));
  }

  lpips(neededBy: string): Lpips {
    return this.once('lpips', () => {
      const linear = readLpipsLinear(this.bytes('lpips', neededBy)); // the small file first: its error comes before a 528 MB read
      return new Lpips(readVgg16(this.bytes('vgg16', neededBy), false), linear);
    });
  }

  /** Checks that the files `kinds` are there, before any work starts. */
  check(kinds: readonly FeatureNetKind[], neededBy: string): void {
    for (const k of kinds) resolveNetFile(k, this.o, neededBy);
  }

  hash(kind: FeatureNetKind): string {
    const h = this.hashes.get(kind);
    if (!h) throw new Error(`the ${kind} file has not been read yet`);
    return h;
  }
}
