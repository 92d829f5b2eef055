"""Reference SWD values for tests/metrics/swd.test.ts, computed by the official progressive_growing_of_gans code.

Usage: python3 scripts/swd-reference.py PATH/TO/progressive_growing_of_gans/metrics/sliced_wasserstein.py tests/metrics/data
Imports the official functions from that file (not copied here) and calls them on two small image sets in the
order stylelab's swd.ts documents: one RandomState for everything, patches of the real set (every level, x then
y), patches of the fake set, then the directions of each level. Writes real.npy, fake.npy, swd-reference.json.
"""
import importlib.util, json, sys
import numpy as np

spec = importlib.util.spec_from_file_location('sliced_wasserstein', sys.argv[1])
sw = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sw)
out = sys.argv[2]

# Two sets of 4 RGB 32x32 images: smooth colour ramps with discs; the fake set has blurrier, noisier discs.
N, C, R = 4, 3, 32
rs = np.random.RandomState(2024)
yy, xx = np.mgrid[0:R, 0:R].astype(np.float64)
def images(sharp):
    imgs = np.zeros((N, C, R, R))
    for n in range(N):
        cx, cy, r = rs.uniform(8, 24), rs.uniform(8, 24), rs.uniform(4, 9)
        d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) - r
        disc = 1 / (1 + np.exp(d * sharp))
        for c in range(C):
            ramp = rs.uniform(0, 120) + rs.uniform(-2, 2) * xx + rs.uniform(-2, 2) * yy
            imgs[n, c] = ramp + disc * rs.uniform(60, 130) + rs.normal(0, 4 if sharp > 1 else 12, (R, R))
    return np.clip(np.round(imgs), 0, 255).astype(np.uint8)
real, fake = images(4.0), images(0.7)
np.save(f'{out}/swd-real.npy', real)
np.save(f'{out}/swd-fake.npy', fake)

seed = 7
np.random.seed(seed)
levels = 2  # 32, 16
desc = []
for mb in (real, fake):
    desc.append([sw.get_descriptors_for_minibatch(level, 7, 128) for level in sw.generate_laplacian_pyramid(mb, levels)])
fin = [[sw.finalize_descriptors(d) for d in s] for s in desc]
dist = [float(sw.sliced_wasserstein(a, b, 4, 128)) * 1e3 for a, b in zip(fin[0], fin[1])]
ref = {'seed': seed, 'count': N, 'channels': C, 'resolution': R, 'levels': [{'resolution': R >> i, 'swd': d} for i, d in enumerate(dist)], 'mean': float(np.mean(dist))}
with open(f'{out}/swd-reference.json', 'w') as f:
    json.dump(ref, f, indent=2)
print(ref)
