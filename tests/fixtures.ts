// Locates ../shared/fixtures (official reference outputs) for the tests; fails loudly when absent.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Repository root (works from tests/ and from dist/tests/). */
export const repoRoot = [resolve(here, '..'), resolve(here, '../..')].find((d) => existsSync(join(d, 'package.json')))!;

function findFixtures(): string {
  const candidates = [
    process.env.STYLELAB_FIXTURES,
    join(repoRoot, '..', 'shared', 'fixtures'),
    join(repoRoot, 'shared', 'fixtures'),
    '/work/shared/fixtures',
  ].filter((d): d is string => !!d);
  const found = candidates.find((d) => existsSync(join(d, 'README.md')));
  if (!found) {
    throw new Error(`reference fixtures not found; looked in ${candidates.join(', ')} (set STYLELAB_FIXTURES)`);
  }
  return found;
}

/** Absolute path of a file under the fixtures folder, e.g. fixture('stylegan2-tiny', 'network.pkl'). */
export function fixture(...parts: string[]): string {
  return join(findFixtures(), ...parts);
}

/** draggan-tiny/reference.json: six steps of the official renderer (points [row, col]). */
export interface DragReference {
  w0_seed: number;
  trunc_psi: number;
  lambda_mask: number;
  r1: number;
  r2: number;
  points_rc: [number, number][];
  targets_rc: [number, number][];
  steps: { step: number; tracked_points: [number, number][]; stop: boolean; image: string; w_after: string }[];
}
