"""Writes tests/data/data/python-zipfile.zip: a data set zip made by Python's zipfile as NVIDIA's dataset_tool.py
makes it (ZIP_STORED, 00000/img00000000.png names, dataset.json), with some entries forced to zip64 and one
deflated, to check stylelab's zip reader against another writer. PNGs are encoded here with zlib (no PIL).

Usage: python3 scripts/python-zipfile-dataset.py tests/data/data/python-zipfile.zip
"""
import json, struct, sys, zipfile, zlib

def png(pixels, w, h):  # 8-bit RGB
    raw = b''.join(b'\x00' + bytes(pixels[y * w * 3:(y + 1) * w * 3]) for y in range(h))
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')

R = 8
labels = []
with zipfile.ZipFile(sys.argv[1], 'w', compression=zipfile.ZIP_STORED) as z:
    for i in range(3):
        # pixel (x, y) of image i: (x * 30 + i, y * 30, 100 + i * 50)
        px = [v for y in range(R) for x in range(R) for v in (x * 30 + i, y * 30, 100 + i * 50)]
        name = f'{i:08d}'
        name = f'{name[:5]}/img{name}.png'
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED if i == 2 else zipfile.ZIP_STORED
        with z.open(info, 'w', force_zip64=(i == 1)) as f:
            f.write(png(px, R, R))
        labels.append([name, i % 2])
    z.writestr('dataset.json', json.dumps({'labels': labels}))
