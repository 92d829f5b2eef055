# Reference outputs of the image operators of NVlabs stylegan3 metrics/equivariance.py (EQ-T, EQ-T_frac, EQ-R),
# for tests/metrics/equivariance.test.ts. Needs PyTorch (Debian python3-torch 1.13 CPU) and a checkout of
# NVlabs/stylegan3 (its reference upfirdn2d is used on the CPU):
#   STYLEGAN3_DIR=~/stylegan3 /usr/bin/python3 scripts/equivariance-reference.py tests/metrics/data/equivariance
import os, sys, json
import numpy as np
import torch
sys.path.insert(0, os.environ['STYLEGAN3_DIR'])
from metrics import equivariance as eq  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.set_num_threads(1)
x = torch.from_numpy(np.random.RandomState(0).randn(2, 3, 16, 20).astype(np.float32))  # N, C, H, W (not square)
np.save(f'{out}/x.npy', x.numpy())
cases = {}
def save(name, z, m, **params):
    np.save(f'{out}/{name}_z.npy', z.numpy().astype(np.float32))
    np.save(f'{out}/{name}_m.npy', m[0, 0].numpy().astype(np.float32))  # the mask is the same for every image and channel
    cases[name] = params
for name, tx, ty in [('int_a', 0.15, -0.0625), ('int_b', -0.3, 0.25), ('int_far', 1.2, 0.0)]:
    z, m = eq.apply_integer_translation(x, tx, ty)
    save(name, z, m, tx=tx, ty=ty)
for name, tx, ty in [('frac_a', 0.071, -0.043), ('frac_b', -0.1234, 0.2)]:
    z, m = eq.apply_fractional_translation(x, tx, ty)
    save(name, z, m, tx=tx, ty=ty)
for name, angle in [('rot_a', 0.3), ('rot_b', -2.5)]:
    z, m = eq.apply_fractional_rotation(x, angle)
    save(name, z, m, angle=angle)
    z, m = eq.apply_fractional_pseudo_rotation(x, angle)
    save(f'pseudo_{name}', z, m, angle=angle)
for name, angle, up in [('filter_up4', 0.3, 4), ('filter_up1', -0.7, 1)]:
    f = eq.construct_affine_bandlimit_filter(eq.rotation_matrix(angle), a=3, amax=6, up=up)
    np.save(f'{out}/{name}.npy', f.numpy().astype(np.float32))
    cases[name] = dict(angle=angle, a=3, amax=6, up=up)
json.dump({'source': 'NVlabs/stylegan3 metrics/equivariance.py (reference upfirdn2d, CPU float32), torch ' + torch.__version__, 'x': 'x.npy [2, 3, 16, 20]', 'cases': cases}, open(f'{out}/reference.json', 'w'), indent=1)
print('wrote', len(cases), 'cases')
