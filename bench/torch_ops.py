# Comparison only (`npm run bench:compare`; never run by tests, CI or the library): the reference (non-CUDA)
# ops that NVIDIA's StyleGAN code runs on a CPU (NVlabs stylegan3 torch_utils/ops: upfirdn2d's reference path,
# bias_act's reference path, conv2d_resample, filtered_lrelu's reference path), written here in plain PyTorch so
# that the comparison bench times the same sequence of torch calls as the official code. Shared by
# bench/stylegan2_torch.py and bench/stylegan3_torch.py. Needs Debian's python3-torch (scripts/install-torch.sh).
import json
import math
import struct

import numpy as np
import torch
import torch.nn.functional as F

SQRT2 = math.sqrt(2)


def read_safetensors(path):
    """Tensors of a safetensors file (u64 header length, JSON header, raw little-endian data) by name."""
    with open(path, 'rb') as fh:
        raw = fh.read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        begin, end = info['data_offsets']
        assert info['dtype'] == 'F32', f'{name}: {info["dtype"]}'
        data = np.frombuffer(raw, dtype='<f4', count=(end - begin) // 4, offset=8 + n + begin).copy()
        out[name] = torch.from_numpy(data).reshape(info['shape'])
    return out


def bias_act(x, b=None, act='linear', gain=None, clamp=None, alpha=0.2):
    """bias_act's reference path: add bias, activation, gain (lrelu's default sqrt 2), clamp."""
    if b is not None:
        x = x + b.reshape([1, -1] + [1] * (x.ndim - 2))
    if act == 'lrelu':
        x = F.leaky_relu(x, alpha)
    if gain is None:
        gain = SQRT2 if act == 'lrelu' else 1
    if gain != 1:
        x = x * gain
    if clamp is not None and clamp >= 0:
        x = x.clamp(-clamp, clamp)
    return x


def upfirdn2d(x, f, up=1, down=1, pad=(0, 0, 0, 0), flip=False, gain=1):
    """upfirdn2d's reference path: zero insertion, pad/crop, a depthwise FIR convolution (one 2-D or two 1-D passes), decimation."""
    if f is None:
        f = torch.ones([1, 1])
    n, c, h, w = x.shape
    px0, px1, py0, py1 = pad
    x = x.reshape(n, c, h, 1, w, 1)
    x = F.pad(x, [0, up - 1, 0, 0, 0, up - 1]).reshape(n, c, h * up, w * up)
    x = F.pad(x, [max(px0, 0), max(px1, 0), max(py0, 0), max(py1, 0)])
    x = x[:, :, max(-py0, 0): x.shape[2] - max(-py1, 0), max(-px0, 0): x.shape[3] - max(-px1, 0)]
    f = f * (gain ** (f.ndim / 2))
    if not flip:
        f = f.flip(list(range(f.ndim)))
    f = f[None, None].repeat([c, 1] + [1] * f.ndim)
    if f.ndim == 4:
        x = F.conv2d(x, f, groups=c)
    else:
        x = F.conv2d(x, f.unsqueeze(2), groups=c)
        x = F.conv2d(x, f.unsqueeze(3), groups=c)
    return x[:, :, ::down, ::down]


def upsample2d(x, f, up=2):
    fw = f.shape[-1]
    return upfirdn2d(x, f, up=up, pad=((fw + up - 1) // 2, (fw - up) // 2) * 2, gain=up * up)


def downsample2d(x, f, down=2):
    fw = f.shape[-1]
    return upfirdn2d(x, f, down=down, pad=((fw - down + 1) // 2, (fw - down) // 2) * 2)


def _conv(x, w, stride=1, padding=0, groups=1, transpose=False, flip_weight=True):
    if not flip_weight and (w.shape[2] > 1 or w.shape[3] > 1):
        w = w.flip([2, 3])
    if transpose:
        return F.conv_transpose2d(x, w, stride=stride, padding=padding, groups=groups)
    return F.conv2d(x, w, stride=stride, padding=padding, groups=groups)


def conv2d_resample(x, w, f=None, up=1, down=1, padding=0, groups=1, flip_weight=True):
    """conv2d_resample: the official choice among strided conv, transposed conv + FIR, FIR + strided conv."""
    o, ig, kh, kw = w.shape
    fw = 1 if f is None else f.shape[-1]
    px0 = px1 = py0 = py1 = padding
    if up > 1:
        px0 += (fw + up - 1) // 2
        px1 += (fw - up) // 2
        py0 += (fw + up - 1) // 2
        py1 += (fw - up) // 2
    if down > 1:
        px0 += (fw - down + 1) // 2
        px1 += (fw - down) // 2
        py0 += (fw - down + 1) // 2
        py1 += (fw - down) // 2
    if kw == 1 and kh == 1 and down > 1 and up == 1:  # 1x1 with down-sampling: filter first
        x = upfirdn2d(x, f, down=down, pad=(px0, px1, py0, py1))
        return _conv(x, w, groups=groups, flip_weight=flip_weight)
    if kw == 1 and kh == 1 and up > 1 and down == 1:  # 1x1 with up-sampling: convolve first
        x = _conv(x, w, groups=groups, flip_weight=flip_weight)
        return upfirdn2d(x, f, up=up, pad=(px0, px1, py0, py1), gain=up * up)
    if down > 1 and up == 1:  # FIR, then strided conv
        x = upfirdn2d(x, f, pad=(px0, px1, py0, py1))
        return _conv(x, w, stride=down, groups=groups, flip_weight=flip_weight)
    if up > 1:  # transposed strided conv, then FIR
        if groups == 1:
            w = w.transpose(0, 1)
        else:
            w = w.reshape(groups, o // groups, ig, kh, kw).transpose(1, 2).reshape(groups * ig, o // groups, kh, kw)
        px0 -= kw - 1
        px1 -= kw - up
        py0 -= kh - 1
        py1 -= kh - up
        pxt = max(min(-px0, -px1), 0)
        pyt = max(min(-py0, -py1), 0)
        x = _conv(x, w, stride=up, padding=[pyt, pxt], groups=groups, transpose=True, flip_weight=not flip_weight)
        x = upfirdn2d(x, f, pad=(px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt), gain=up * up)
        if down > 1:
            x = upfirdn2d(x, f, down=down)
        return x
    if px0 == px1 and py0 == py1 and px0 >= 0 and py0 >= 0:
        return _conv(x, w, padding=[py0, px0], groups=groups, flip_weight=flip_weight)
    x = upfirdn2d(x, f if up > 1 else None, up=up, pad=(px0, px1, py0, py1), gain=up * up)
    x = _conv(x, w, groups=groups, flip_weight=flip_weight)
    return upfirdn2d(x, f, down=down) if down > 1 else x


def filtered_lrelu(x, fu, fd, b, up, down, padding, gain, slope, clamp):
    """filtered_lrelu's reference path: bias, up-sample (FIR), leaky ReLU with gain and clamp, down-sample (FIR)."""
    x = bias_act(x, b)
    x = upfirdn2d(x, fu, up=up, pad=padding, gain=up * up)
    x = bias_act(x, act='lrelu', alpha=slope, gain=gain, clamp=clamp)
    return upfirdn2d(x, fd, down=down)


def fully_connected(x, weight, bias, lr=1.0, act='linear'):
    """FullyConnectedLayer: equalized learning rate (weight * lr / sqrt(in), bias * lr)."""
    w = weight * (lr / math.sqrt(weight.shape[1]))
    b = bias * lr if lr != 1 else bias
    if act == 'linear':
        return torch.addmm(b.unsqueeze(0), x, w.t())
    return bias_act(x.matmul(w.t()), b, act=act)


def normalize_2nd_moment(x, eps=1e-8):
    return x * (x.square().mean(dim=1, keepdim=True) + eps).rsqrt()
