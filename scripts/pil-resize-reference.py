# Reference outputs of PIL's Image.resize (LANCZOS, BILINEAR) and the official projector's target crop, for
# tests/project/pil-resize.test.ts. Run with Debian's python3-pil and python3-numpy:
#   /usr/bin/python3 scripts/pil-resize-reference.py tests/project/data
import sys, os
import numpy as np
import PIL, PIL.Image

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rs = np.random.RandomState(7)
src = rs.randint(0, 256, size=(29, 37, 3)).astype(np.uint8)  # HWC, 37 wide, 29 high
np.save(f'{out}/pil_src.npy', src)
img = PIL.Image.fromarray(src, 'RGB')
for name, flt in [('lanczos', PIL.Image.LANCZOS), ('bilinear', PIL.Image.BILINEAR)]:
    for (w, h) in [(16, 16), (64, 50), (40, 9)]:
        np.save(f'{out}/pil_{name}_{w}x{h}.npy', np.array(img.resize((w, h), flt), dtype=np.uint8))
# The projector's target: centre crop to a square, then LANCZOS to the network resolution.
w, h = img.size
s = min(w, h)
t = img.crop(((w - s) // 2, (h - s) // 2, (w + s) // 2, (h + s) // 2)).resize((16, 16), PIL.Image.LANCZOS)
np.save(f'{out}/pil_target_16.npy', np.array(t, dtype=np.uint8))
print('PIL', PIL.__version__)
