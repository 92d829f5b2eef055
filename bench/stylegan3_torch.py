# Comparison only (`npm run bench:compare`; never run by tests, CI or the library): the StyleGAN3 generator of
# NVlabs stylegan3 training/networks_stylegan3.py in plain PyTorch, op for op as the official code runs it on a
# CPU (grouped modulated conv, filtered_lrelu's reference path: bias, zero-insertion up-sampling and FIR, leaky
# ReLU, FIR and decimation). The layer plan is computed here from the constructor's formulas; the designed
# filters (scipy firwin / jinc, which Debian's python3-torch does not pull in), Fourier frequencies and every
# weight come from stylelab's safetensors file by their official names.
import math

import numpy as np
import torch
import torch.nn.functional as F

from torch_ops import SQRT2, filtered_lrelu, fully_connected


def modulated_conv2d(x, w, s, demodulate=True, padding=0, input_gain=None):
    """networks_stylegan3.modulated_conv2d: pre-normalise, modulate, demodulate, input gain, grouped conv."""
    n = x.shape[0]
    o, i, kh, kw = w.shape
    if demodulate:
        w = w * w.square().mean([1, 2, 3], keepdim=True).rsqrt()
        s = s * s.square().mean().rsqrt()
    w = w.unsqueeze(0) * s.unsqueeze(1).unsqueeze(3).unsqueeze(4)  # [N, O, I, k, k]
    if demodulate:
        w = w * (w.square().sum(dim=[2, 3, 4]) + 1e-8).rsqrt().unsqueeze(2).unsqueeze(3).unsqueeze(4)
    if input_gain is not None:
        w = w * input_gain.expand(n, i).unsqueeze(1).unsqueeze(3).unsqueeze(4)
    x = F.conv2d(x.reshape(1, -1, *x.shape[2:]), w.reshape(-1, i, kh, kw), padding=padding, groups=n)
    return x.reshape(n, -1, *x.shape[2:])


def plan(res, cbase, cmax, conv_kernel, radial, num_layers=14, num_critical=2, first_cutoff=2, first_stopband=2 ** 2.1,
         last_stopband_rel=2 ** 0.3, margin=10, filter_size=6, lrelu_up=2):
    """SynthesisNetwork.__init__ and SynthesisLayer.__init__: per-layer sizes, channels, factors and paddings."""
    last_cutoff = res / 2
    exps = np.minimum(np.arange(num_layers + 1) / (num_layers - num_critical), 1)
    cutoffs = first_cutoff * (last_cutoff / first_cutoff) ** exps
    stopbands = first_stopband * (last_cutoff * last_stopband_rel / first_stopband) ** exps
    rates = np.exp2(np.ceil(np.log2(np.minimum(stopbands * 2, res))))
    sizes = rates + margin * 2
    sizes[-2:] = res
    chans = np.rint(np.minimum((cbase / 2) / cutoffs, cmax))
    chans[-1] = 3
    layers = []
    for idx in range(num_layers + 1):
        prev = max(idx - 1, 0)
        torgb = idx == num_layers
        tmp_rate = max(rates[prev], rates[idx]) * (1 if torgb else lrelu_up)
        up = int(np.rint(tmp_rate / rates[prev]))
        down = int(np.rint(tmp_rate / rates[idx]))
        up_taps = filter_size * up if up > 1 and not torgb else 1
        down_taps = filter_size * down if down > 1 and not torgb else 1
        k = 1 if torgb else conv_kernel
        total = (sizes[idx] - 1) * down + 1 - (sizes[prev] + k - 1) * up + up_taps + down_taps - 2
        lo = (total + up) // 2
        layers.append(dict(name=f'L{idx}_{int(sizes[idx])}_{int(chans[idx])}', torgb=torgb, up=up, down=down, k=k, up_taps=up_taps,
                           down_taps=down_taps, padding=(int(lo), int(total - lo), int(lo), int(total - lo)), out_size=int(sizes[idx])))
    return dict(channels=int(chans[0]), size=int(sizes[0]), rate=float(rates[0]), bandwidth=float(cutoffs[0]), layers=layers)


class Generator3(torch.nn.Module):
    """networks_stylegan3.Generator (mapping, Fourier-feature input, SynthesisLayers) over named weights."""

    def __init__(self, tensors, res, kind='T', map_layers=2):
        super().__init__()
        r = kind == 'R'
        self.plan = plan(res, 65536 if r else 32768, 1024 if r else 512, 1 if r else 3, r)
        self.tensors = tensors
        self.map_layers, self.res = map_layers, res
        for l in self.plan['layers']:  # the filters we were given have the shapes this plan expects
            for key, taps in (('up_filter', l['up_taps']), ('down_filter', l['down_taps'])):
                f = tensors.get(f"synthesis.{l['name']}.{key}")
                assert (f is None) == (taps == 1) and (f is None or f.shape[-1] == taps), (l['name'], key)

    def t(self, name):
        return self.tensors[name]

    def mapping(self, z, psi=1.0):
        x = z * (z.square().mean(1, keepdim=True) + 1e-8).rsqrt()
        for k in range(self.map_layers):
            x = fully_connected(x, self.t(f'mapping.fc{k}.weight'), self.t(f'mapping.fc{k}.bias'), lr=0.01, act='lrelu')
        x = x.unsqueeze(1).repeat([1, len(self.plan['layers']) + 1, 1])
        if psi != 1:
            x = self.t('mapping.w_avg').lerp(x, psi)
        return x

    def input(self, w):
        p = self.plan
        t = fully_connected(w, self.t('synthesis.input.affine.weight'), self.t('synthesis.input.affine.bias'))
        t = t / t[:, :2].norm(dim=1, keepdim=True)
        m_r = torch.eye(3).unsqueeze(0).repeat([w.shape[0], 1, 1])
        m_r[:, 0, 0], m_r[:, 0, 1], m_r[:, 1, 0], m_r[:, 1, 1] = t[:, 0], -t[:, 1], t[:, 1], t[:, 0]
        m_t = torch.eye(3).unsqueeze(0).repeat([w.shape[0], 1, 1])
        m_t[:, 0, 2], m_t[:, 1, 2] = -t[:, 2], -t[:, 3]
        transforms = m_r @ m_t @ self.t('synthesis.input.transform').unsqueeze(0)
        freqs = self.t('synthesis.input.freqs').unsqueeze(0)
        phases = self.t('synthesis.input.phases').unsqueeze(0) + (freqs @ transforms[:, :2, 2:]).squeeze(2)
        freqs = freqs @ transforms[:, :2, :2]
        amplitudes = (1 - (freqs.norm(dim=2) - p['bandwidth']) / (p['rate'] / 2 - p['bandwidth'])).clamp(0, 1)
        theta = torch.eye(2, 3)
        theta[0, 0] = theta[1, 1] = 0.5 * p['size'] / p['rate']
        grids = F.affine_grid(theta.unsqueeze(0), [1, 1, p['size'], p['size']], align_corners=False)
        x = (grids.unsqueeze(3) @ freqs.permute(0, 2, 1).unsqueeze(1).unsqueeze(2)).squeeze(3)  # [N, H, W, C]
        x = torch.sin((x + phases.unsqueeze(1).unsqueeze(2)) * (np.pi * 2)) * amplitudes.unsqueeze(1).unsqueeze(2)
        x = x @ (self.t('synthesis.input.weight') / math.sqrt(p['channels'])).t()
        return x.permute(0, 3, 1, 2)

    def layer(self, l, x, w):
        n = f"synthesis.{l['name']}"
        styles = fully_connected(w, self.t(f'{n}.affine.weight'), self.t(f'{n}.affine.bias'))
        weight = self.t(f'{n}.weight')
        if l['torgb']:
            styles = styles * (1 / math.sqrt(weight.shape[1] * l['k'] ** 2))
        x = modulated_conv2d(x, weight, styles, demodulate=not l['torgb'], padding=l['k'] - 1, input_gain=self.t(f'{n}.magnitude_ema').rsqrt())
        return filtered_lrelu(x, self.tensors.get(f'{n}.up_filter'), self.tensors.get(f'{n}.down_filter'), self.t(f'{n}.bias'), l['up'], l['down'],
                              l['padding'], 1 if l['torgb'] else SQRT2, 1 if l['torgb'] else 0.2, 256)

    def synthesis(self, ws):
        ws = ws.unbind(dim=1)
        x = self.input(ws[0])
        for l, w in zip(self.plan['layers'], ws[1:]):
            x = self.layer(l, x, w)
        return x * 0.25
