// The image files of a data set source, a folder (searched recursively) or a zip, behind one interface:
// sorted '/'-separated names relative to the source, read on demand, and dataset.json when present.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { InputError } from '../errors.js';
import { ZipReader } from './zip-reader.js';

/** File extensions taken as images (those of PIL.Image.EXTENSION that are common; sharp decodes all but bmp/ppm/pgm). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif', '.bmp', '.ppm', '.pgm']);

/**
 * Whether a file name has an image extension (case-insensitive).
 * @example isImageName('a/B.PNG') // true
 */
export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

/** A folder or zip of images, opened. */
export interface ImageArchive {
  readonly source: string;
  readonly kind: 'folder' | 'zip';
  /** Image file names relative to the source, '/'-separated, sorted. */
  readonly imageNames: readonly string[];
  read(name: string): Promise<Uint8Array>;
  /** The text of `dataset.json` at the source's root, or null. */
  datasetJson(): Promise<string | null>;
  close(): Promise<void>;
}

/**
 * Name order: 'string' compares whole names (training/dataset.py, and dataset_tool.py for zips); 'path' compares
 * path components (dataset_tool.py's sorted(Path.rglob('*')) for folders).
 */
export type NameOrder = 'string' | 'path';

function compareNames(order: NameOrder): (a: string, b: string) => number {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  if (order === 'string') return cmp;
  return (a, b) => {
    const pa = a.split('/');
    const pb = b.split('/');
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const c = cmp(pa[i]!, pb[i]!);
      if (c !== 0) return c;
    }
    return pa.length - pb.length;
  };
}

/** Every file under `dir`, relative and '/'-separated. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...(await walk(dir, rel)));
    else if (d.isFile() || (d.isSymbolicLink() && (await stat(join(dir, rel)).catch(() => null))?.isFile())) out.push(rel);
  }
  return out;
}

/**
 * Opens a folder or a zip file of images.
 * @example const a = await openImageArchive('photos/'); for (const n of a.imageNames) await a.read(n); await a.close();
 */
export async function openImageArchive(source: string, order: NameOrder = 'string'): Promise<ImageArchive> {
  const info = await stat(source).catch(() => null);
  if (!info) throw new InputError(`data set not found: ${source}`);
  const sort = compareNames(order);
  if (info.isDirectory()) {
    let files: string[];
    try {
      files = await walk(source);
    } catch (e) {
      throw new InputError(`cannot list ${source}: ${(e as Error).message}`);
    }
    const has = new Set(files);
    return {
      source,
      kind: 'folder',
      imageNames: files.filter(isImageName).sort(sort),
      read: async (name) => {
        try {
          return await readFile(join(source, name));
        } catch (e) {
          throw new InputError(`cannot read ${join(source, name)}: ${(e as Error).message}`);
        }
      },
      datasetJson: async () => (has.has('dataset.json') ? readFile(join(source, 'dataset.json'), 'utf8') : null),
      close: async () => {},
    };
  }
  const zip = await ZipReader.open(source);
  return {
    source,
    kind: 'zip',
    imageNames: zip.names().filter((n) => !n.endsWith('/') && isImageName(n)).sort(sort),
    read: (name) => zip.read(name),
    datasetJson: async () => (zip.has('dataset.json') ? new TextDecoder().decode(await zip.read('dataset.json')) : null),
    close: () => zip.close(),
  };
}
