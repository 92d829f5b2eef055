# Comparison only (`npm run bench:compare`; never run by tests, CI or the library): the StyleGAN2 work of the
# comparison bench in plain PyTorch, op for op as the official code runs it on a CPU: the generator and
# discriminator of NVlabs stylegan3 training/networks_stylegan2.py (fused modulated conv at inference, the
# non-fused path in training, as train.py's fused_modconv_default='inference_only'), the loss phases of
# training/loss.py and the step of training/training_loop.py, and XingangPan/DragGAN viz/renderer.py's drag
# step. Networks read stylelab's weights by their official names (bench/torch_ops.py read_safetensors).
import math

import numpy as np
import torch
import torch.nn.functional as F

from torch_ops import (SQRT2, bias_act, conv2d_resample, downsample2d, fully_connected, normalize_2nd_moment,
                       upsample2d)


def channels(cbase, cmax, res):
    return min(cbase // res, cmax)


def modulated_conv2d(x, weight, styles, noise=None, up=1, padding=0, f=None, demodulate=True, flip_weight=True, fused=True):
    """networks_stylegan2.modulated_conv2d (fp32 path)."""
    n = x.shape[0]
    o, i, kh, kw = weight.shape
    w = weight.unsqueeze(0) * styles.reshape(n, 1, -1, 1, 1)  # [N, O, I, k, k]
    dcoefs = (w.square().sum(dim=[2, 3, 4]) + 1e-8).rsqrt() if demodulate else None  # [N, O]
    if not fused:
        x = x * styles.reshape(n, -1, 1, 1)
        x = conv2d_resample(x, weight, f=f, up=up, padding=padding, flip_weight=flip_weight)
        if demodulate and noise is not None:
            return torch.addcmul(noise, x, dcoefs.reshape(n, -1, 1, 1))
        if demodulate:
            x = x * dcoefs.reshape(n, -1, 1, 1)
        return x + noise if noise is not None else x
    if demodulate:
        w = w * dcoefs.reshape(n, -1, 1, 1, 1)
    x = x.reshape(1, -1, *x.shape[2:])
    x = conv2d_resample(x, w.reshape(-1, i, kh, kw), f=f, up=up, padding=padding, groups=n, flip_weight=flip_weight)
    x = x.reshape(n, -1, *x.shape[2:])
    return x + noise if noise is not None else x


class Generator(torch.nn.Module):
    """networks_stylegan2.Generator (skip architecture, conv_clamp, noise) over named weights."""

    def __init__(self, tensors, res, cbase, cmax=512, map_layers=8, w_dim=512, clamp=256):
        super().__init__()
        self.res, self.cbase, self.cmax, self.map_layers, self.w_dim, self.clamp = res, cbase, cmax, map_layers, w_dim, clamp
        self.params = torch.nn.ParameterDict({k.replace('.', '__'): torch.nn.Parameter(v, requires_grad=False) for k, v in tensors.items()})
        self.blocks = [2 ** k for k in range(2, int(math.log2(res)) + 1)]
        self.num_ws = sum(1 if r == 4 else 2 for r in self.blocks) + 1
        self.fused = True

    def t(self, name):
        return self.params[name.replace('.', '__')]

    def trainable(self):
        return [p for k, p in self.params.items() if not (k.endswith('resample_filter') or k.endswith('noise_const') or k.endswith('w_avg'))]

    def mapping(self, z, psi=1.0, update_emas=False):
        x = normalize_2nd_moment(z)
        for k in range(self.map_layers):
            x = fully_connected(x, self.t(f'mapping.fc{k}.weight'), self.t(f'mapping.fc{k}.bias'), lr=0.01, act='lrelu')
        if update_emas:
            self.t('mapping.w_avg').copy_(x.detach().mean(dim=0).lerp(self.t('mapping.w_avg'), 0.998))
        x = x.unsqueeze(1).repeat([1, self.num_ws, 1])
        if psi != 1:
            x = self.t('mapping.w_avg').lerp(x, psi)
        return x

    def layer(self, name, x, w, up=1, noise_mode='const', gain=1):
        styles = fully_connected(w, self.t(f'{name}.affine.weight'), self.t(f'{name}.affine.bias'))
        res = self.t(f'{name}.noise_const').shape[0]
        if noise_mode == 'random':
            noise = torch.randn([x.shape[0], 1, res, res]) * self.t(f'{name}.noise_strength')
        else:
            noise = self.t(f'{name}.noise_const') * self.t(f'{name}.noise_strength')
        x = modulated_conv2d(x, self.t(f'{name}.weight'), styles, noise=noise, up=up, padding=1, f=self.t(f'{name}.resample_filter'),
                             flip_weight=(up == 1), fused=self.fused)
        return bias_act(x, self.t(f'{name}.bias'), act='lrelu', gain=SQRT2 * gain, clamp=self.clamp * gain)

    def torgb(self, name, x, w):
        weight = self.t(f'{name}.weight')
        styles = fully_connected(w, self.t(f'{name}.affine.weight'), self.t(f'{name}.affine.bias')) * (1 / math.sqrt(weight.shape[1]))
        x = modulated_conv2d(x, weight, styles, demodulate=False, fused=self.fused)
        return bias_act(x, self.t(f'{name}.bias'), clamp=self.clamp)

    def synthesis(self, ws, noise_mode='const', features=False):
        feats = []
        x = img = None
        k = 0
        for r in self.blocks:
            b = f'synthesis.b{r}'
            if r == 4:
                x = self.t(f'{b}.const').unsqueeze(0).repeat([ws.shape[0], 1, 1, 1])
                x = self.layer(f'{b}.conv1', x, ws[:, k], noise_mode=noise_mode)
                k += 1
            else:
                x = self.layer(f'{b}.conv0', x, ws[:, k], up=2, noise_mode=noise_mode)
                x = self.layer(f'{b}.conv1', x, ws[:, k + 1], noise_mode=noise_mode)
                k += 2
            if img is not None:
                img = upsample2d(img, self.t(f'{b}.resample_filter'))
            y = self.torgb(f'{b}.torgb', x, ws[:, k])
            img = img + y if img is not None else y
            feats.append(x)
        return (img, feats) if features else img


class Discriminator(torch.nn.Module):
    """networks_stylegan2.Discriminator (resnet architecture, minibatch stddev, conv_clamp) over named weights."""

    def __init__(self, tensors, res, cbase, cmax=512, clamp=256, mbstd_group=4):
        super().__init__()
        self.res, self.cbase, self.cmax, self.clamp, self.mbstd_group = res, cbase, cmax, clamp, mbstd_group
        self.params = torch.nn.ParameterDict({k.replace('.', '__'): torch.nn.Parameter(v, requires_grad=False) for k, v in tensors.items()})

    def t(self, name):
        return self.params[name.replace('.', '__')]

    def trainable(self):
        return [p for k, p in self.params.items() if not k.endswith('resample_filter')]

    def conv(self, name, x, act='lrelu', down=1, gain=1, f=None, bias=True):
        w = self.t(f'{name}.weight')
        w = w * (1 / math.sqrt(w.shape[1] * w.shape[2] * w.shape[3]))
        x = conv2d_resample(x, w, f=f, down=down, padding=w.shape[2] // 2)
        b = self.t(f'{name}.bias') if bias else None
        clamp = self.clamp * gain if act == 'lrelu' else None
        return bias_act(x, b, act=act, gain=(SQRT2 if act == 'lrelu' else 1) * gain, clamp=clamp)

    def forward(self, img):
        x = None
        r = self.res
        while r > 4:
            b = f'b{r}'
            f = self.t(f'{b}.resample_filter')
            if x is None:
                x = self.conv(f'{b}.fromrgb', img)
            y = self.conv(f'{b}.skip', x, act='linear', down=2, gain=math.sqrt(0.5), f=f, bias=False)
            x = self.conv(f'{b}.conv0', x)
            x = self.conv(f'{b}.conv1', x, down=2, gain=math.sqrt(0.5), f=f)
            x = y.add_(x)
            r //= 2
        n, c, h, w = x.shape
        g = min(self.mbstd_group, n)
        y = x.reshape(g, -1, 1, c, h, w)
        y = (y - y.mean(dim=0)).square().mean(dim=0)
        y = (y + 1e-8).sqrt().mean(dim=[2, 3, 4]).reshape(-1, 1, 1, 1).repeat(g, 1, h, w)
        x = torch.cat([x, y], dim=1)
        x = self.conv('b4.conv', x)
        x = fully_connected(x.flatten(1), self.t('b4.fc.weight'), self.t('b4.fc.bias'), act='lrelu')
        return fully_connected(x, self.t('b4.out.weight'), self.t('b4.out.bias'))


# --- DragGAN step (viz/renderer.py _render_drag_impl, w+ latent on the first 6 layers, Adam lr 0.001) ---------

class DragStep:
    def __init__(self, G, points, targets, mask=None, lambda_mask=10, feature_idx=5, r1=3, r2=12, seed=0, psi=0.7):
        self.G, self.points, self.targets, self.mask = G, [list(p) for p in points], targets, mask
        self.lambda_mask, self.feature_idx, self.r1, self.r2 = lambda_mask, feature_idx, r1, r2
        z = torch.from_numpy(np.random.RandomState(seed).randn(1, 512)).float()
        with torch.no_grad():
            w = G.mapping(z, psi=psi)
        self.w0 = w.detach().clone()
        self.w = w.detach().clone().requires_grad_(True)
        self.opt = torch.optim.Adam([self.w], lr=0.001)
        self.feat_refs = None

    def step(self):
        G, h = self.G, self.G.res
        ws = torch.cat([self.w[:, :6, :], self.w0[:, 6:, :]], dim=1)
        img, feat = G.synthesis(ws, noise_mode='const', features=True)
        X = torch.linspace(0, h, h)
        xx, yy = torch.meshgrid(X, X, indexing='ij')
        feat_resize = F.interpolate(feat[self.feature_idx], [h, h], mode='bilinear')
        if self.feat_refs is None:
            self.feat0_resize = F.interpolate(feat[self.feature_idx].detach(), [h, h], mode='bilinear')
            self.feat_refs = [self.feat0_resize[:, :, round(p[0]), round(p[1])] for p in self.points]
        with torch.no_grad():  # point tracking: nearest reference feature in the window
            for j, p in enumerate(self.points):
                r = round(self.r2 / 512 * h)
                up, down, left, right = max(p[0] - r, 0), min(p[0] + r + 1, h), max(p[1] - r, 0), min(p[1] + r + 1, h)
                patch = feat_resize[:, :, up:down, left:right]
                dist = torch.linalg.norm(patch - self.feat_refs[j].reshape(1, -1, 1, 1), dim=1)
                _, idx = torch.min(dist.view(1, -1), -1)
                width = right - left
                self.points[j] = [idx.item() // width + up, idx.item() % width + left]
        loss = 0
        for j, p in enumerate(self.points):  # motion supervision
            t = self.targets[j]
            direction = torch.Tensor([t[1] - p[1], t[0] - p[0]])
            if torch.linalg.norm(direction) > 1:
                distance = ((xx - p[0]) ** 2 + (yy - p[1]) ** 2) ** 0.5
                relis, reljs = torch.where(distance < round(self.r1 / 512 * h))
                direction = direction / (torch.linalg.norm(direction) + 1e-7)
                gridh = (relis + direction[1]) / (h - 1) * 2 - 1
                gridw = (reljs + direction[0]) / (h - 1) * 2 - 1
                grid = torch.stack([gridw, gridh], dim=-1).unsqueeze(0).unsqueeze(0)
                target = F.grid_sample(feat_resize.float(), grid, align_corners=True).squeeze(2)
                loss = loss + F.l1_loss(feat_resize[:, :, relis, reljs].detach(), target)
        if self.mask is not None:
            m = self.mask.unsqueeze(0).unsqueeze(0)
            loss = loss + self.lambda_mask * F.l1_loss(feat_resize * m, self.feat0_resize * m)
        loss = loss + 0 * F.l1_loss(ws, self.w0)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return (img[0] * 127.5 + 128).clamp(0, 255).to(torch.uint8).permute(1, 2, 0)


# --- Training step (training/loss.py StyleGAN2Loss, training/training_loop.py) -------------------------------

class TrainStep:
    """One training step with all four phases (Gmain, Greg, Dmain, Dreg), each timed with its optimizer step."""

    def __init__(self, G, D, G_ema, batch=8, r1_gamma=1, pl_weight=2, pl_decay=0.01, pl_batch_shrink=2, mixing=0.9, glr=0.002, dlr=0.002,
                 g_reg=4, d_reg=16, ema_kimg=None):
        self.G, self.D, self.G_ema, self.batch = G, D, G_ema, batch
        self.r1_gamma, self.pl_weight, self.pl_decay, self.pl_shrink, self.mixing = r1_gamma, pl_weight, pl_decay, pl_batch_shrink, mixing
        self.G.fused = False  # train.py: fused_modconv_default = 'inference_only'
        self.pl_mean = torch.zeros([])
        mg, md = g_reg / (g_reg + 1), d_reg / (d_reg + 1)
        self.optG = torch.optim.Adam(G.trainable(), lr=glr * mg, betas=(0, 0.99 ** mg), eps=1e-8)
        self.optD = torch.optim.Adam(D.trainable(), lr=dlr * md, betas=(0, 0.99 ** md), eps=1e-8)
        self.ema_nimg = (ema_kimg if ema_kimg is not None else batch * 10 / 32) * 1000
        self.cur_nimg = 0
        self.reals = torch.rand([batch, 3, G.res, G.res]) * 255

    def run_G(self, z, update_emas=False):
        ws = self.G.mapping(z, update_emas=update_emas)
        cutoff = torch.empty([], dtype=torch.int64).random_(1, ws.shape[1])
        cutoff = torch.where(torch.rand([]) < self.mixing, cutoff, torch.full_like(cutoff, ws.shape[1]))
        ws[:, cutoff:] = self.G.mapping(torch.randn_like(z))[:, cutoff:]
        return self.G.synthesis(ws, noise_mode='random'), ws

    def phase(self, name, module, opt, fn):
        opt.zero_grad(set_to_none=True)
        for p in module.trainable():
            p.requires_grad_(True)
        fn()
        for p in module.trainable():
            p.requires_grad_(False)
        params = [p for p in module.trainable() if p.grad is not None]
        if params:
            flat = torch.cat([p.grad.flatten() for p in params])
            torch.nan_to_num(flat, nan=0, posinf=1e5, neginf=-1e5, out=flat)
            for p, g in zip(params, flat.split([p.numel() for p in params])):
                p.grad = g.reshape(p.shape)
            opt.step()

    def gmain(self):
        img, _ = self.run_G(torch.randn([self.batch, 512]))
        F.softplus(-self.D(img)).mean().backward()

    def greg(self):
        b = self.batch // self.pl_shrink
        img, ws = self.run_G(torch.randn([b, 512]))
        pl_noise = torch.randn_like(img) / math.sqrt(img.shape[2] * img.shape[3])
        pl_grads = torch.autograd.grad(outputs=[(img * pl_noise).sum()], inputs=[ws], create_graph=True, only_inputs=True)[0]
        pl_lengths = pl_grads.square().sum(2).mean(1).sqrt()
        pl_mean = self.pl_mean.lerp(pl_lengths.mean(), self.pl_decay)
        self.pl_mean.copy_(pl_mean.detach())
        ((pl_lengths - pl_mean).square() * self.pl_weight).mean().mul(4).backward()

    def dmain(self):
        img, _ = self.run_G(torch.randn([self.batch, 512]), update_emas=True)
        F.softplus(self.D(img)).mean().backward()
        real = (self.reals / 127.5 - 1).detach()
        F.softplus(-self.D(real)).mean().backward()

    def dreg(self):
        real = (self.reals / 127.5 - 1).detach().requires_grad_(True)
        logits = self.D(real)
        r1_grads = torch.autograd.grad(outputs=[logits.sum()], inputs=[real], create_graph=True, only_inputs=True)[0]
        (r1_grads.square().sum([1, 2, 3]) * (self.r1_gamma / 2)).mean().mul(16).backward()

    def ema(self):
        self.cur_nimg += self.batch
        beta = 0.5 ** (self.batch / max(min(self.ema_nimg, self.cur_nimg * 0.05), 1e-8))
        with torch.no_grad():
            for pe, p in zip(self.G_ema.trainable(), self.G.trainable()):
                pe.copy_(p.lerp(pe, beta))
