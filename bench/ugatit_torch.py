# Comparison only (not run by tests or CI): the U-GAT-IT work of bench/ugatit.ts timed in PyTorch on a model of
# the same shapes (ch 64, 4 residual blocks, 256x256, light and full; global 7-layer and local 5-layer
# discriminators with spectral norm), written here from the paper's description. Needs Debian's python3-torch.
#   /usr/bin/python3 bench/ugatit_torch.py [threads] [translate|train] [iterations] [train size]   (Debian python3-torch 1.13)
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

def mix_norm(x, rho, eps=1e-5):
    i = (x - x.mean([2, 3], keepdim=True)) / torch.sqrt(x.var([2, 3], keepdim=True) + eps)
    l = (x - x.mean([1, 2, 3], keepdim=True)) / torch.sqrt(x.var([1, 2, 3], keepdim=True) + eps)
    return rho * i + (1 - rho) * l

class Block(nn.Module):  # residual block; adaptive (AdaILN) when gamma/beta are given
    def __init__(self, d, ada):
        super().__init__()
        self.c1, self.c2, self.ada = nn.Conv2d(d, d, 3, bias=False), nn.Conv2d(d, d, 3, bias=False), ada
        self.rho1, self.rho2 = nn.Parameter(torch.full((1, d, 1, 1), 0.9)), nn.Parameter(torch.full((1, d, 1, 1), 0.9))
    def norm(self, x, rho, g, b):
        if not self.ada: return F.instance_norm(x)
        return mix_norm(x, rho) * g[:, :, None, None] + b[:, :, None, None]
    def forward(self, x, g=None, b=None):
        h = F.relu(self.norm(self.c1(F.pad(x, (1,) * 4, mode='reflect')), self.rho1, g, b))
        return x + self.norm(self.c2(F.pad(h, (1,) * 4, mode='reflect')), self.rho2, g, b)

class Gen(nn.Module):
    def __init__(self, ch=64, n_res=4, size=256, light=True):
        super().__init__()
        d, self.light = ch * 4, light
        self.down = nn.ModuleList([nn.Conv2d(3, ch, 7, bias=False), nn.Conv2d(ch, 2 * ch, 3, 2, bias=False), nn.Conv2d(2 * ch, d, 3, 2, bias=False)])
        self.enc = nn.ModuleList([Block(d, False) for _ in range(n_res)])
        self.gap, self.gmp, self.c11 = nn.Linear(d, 1, bias=False), nn.Linear(d, 1, bias=False), nn.Conv2d(2 * d, d, 1)
        self.fc = nn.Sequential(nn.Linear(d if light else (size // 4) ** 2 * d, d, bias=False), nn.ReLU(), nn.Linear(d, d, bias=False), nn.ReLU())
        self.gamma, self.beta = nn.Linear(d, d, bias=False), nn.Linear(d, d, bias=False)
        self.dec = nn.ModuleList([Block(d, True) for _ in range(n_res)])
        self.up = nn.ModuleList([nn.Conv2d(d, d // 2, 3, bias=False), nn.Conv2d(d // 2, ch, 3, bias=False)])
        self.rho = nn.ParameterList([nn.Parameter(torch.zeros(1, c, 1, 1)) for c in (d // 2, ch)])
        self.out = nn.Conv2d(ch, 3, 7, bias=False)
    def forward(self, x):
        for k, c in enumerate(self.down): x = F.relu(F.instance_norm(c(F.pad(x, (3 if k == 0 else 1,) * 4, mode='reflect'))))
        for b in self.enc: x = b(x)
        logit = torch.cat([self.gap(x.mean([2, 3])), self.gmp(x.amax([2, 3]))], 1)
        x = F.relu(self.c11(torch.cat([x * self.gap.weight[:, :, None, None], x * self.gmp.weight[:, :, None, None]], 1)))
        heat = x.sum(1, keepdim=True)
        f = self.fc(x.mean([2, 3]) if self.light else x.flatten(1))
        g, b = self.gamma(f), self.beta(f)
        for blk in self.dec: x = blk(x, g, b)
        for c, rho in zip(self.up, self.rho): x = F.relu(mix_norm(c(F.pad(F.interpolate(x, scale_factor=2), (1,) * 4, mode='reflect')), rho))
        return torch.tanh(self.out(F.pad(x, (3,) * 4, mode='reflect'))), logit, heat

class Dis(nn.Module):
    def __init__(self, ch=64, n=7):
        super().__init__()
        sn = nn.utils.spectral_norm
        chans = [3] + [ch * 2 ** i for i in range(n - 1)]
        self.convs = nn.ModuleList([sn(nn.Conv2d(chans[i], chans[i + 1], 4, 2 if i < n - 2 else 1)) for i in range(n - 1)])
        d = chans[-1]
        self.gap, self.gmp = sn(nn.Linear(d, 1, bias=False)), sn(nn.Linear(d, 1, bias=False))
        self.c11, self.conv = nn.Conv2d(2 * d, d, 1), sn(nn.Conv2d(d, 1, 4, bias=False))
    def forward(self, x):
        for c in self.convs: x = F.leaky_relu(c(F.pad(x, (1,) * 4, mode='reflect')), 0.2)
        logit = torch.cat([self.gap(x.mean([2, 3])), self.gmp(x.amax([2, 3]))], 1)
        x = F.leaky_relu(self.c11(torch.cat([x * self.gap.weight_orig[:, :, None, None], x * self.gmp.weight_orig[:, :, None, None]], 1)), 0.2)
        return self.conv(F.pad(x, (1,) * 4, mode='reflect')), logit, x.sum(1, keepdim=True)

def timed(fn, n):
    fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter(); fn(); ts.append((time.perf_counter() - t) * 1000)
    return sorted(ts)[len(ts) // 2]

def train_step(size):
    """One light-mode training iteration (discriminator update, then generator update) at size x size, batch 1."""
    gA, gB = Gen(size=size), Gen(size=size)
    ds = [Dis(n=7), Dis(n=5), Dis(n=7), Dis(n=5)]  # GA, LA, GB, LB
    opt_g = torch.optim.Adam(list(gA.parameters()) + list(gB.parameters()), 1e-4, betas=(0.5, 0.999), weight_decay=1e-4)
    opt_d = torch.optim.Adam([p for d in ds for p in d.parameters()], 1e-4, betas=(0.5, 0.999), weight_decay=1e-4)
    mse, l1, bce = nn.MSELoss(), nn.L1Loss(), nn.BCEWithLogitsLoss()
    a, b = torch.randn(1, 3, size, size), torch.randn(1, 3, size, size)
    def step():
        opt_d.zero_grad()
        fa2b, fb2a = gA(a)[0], gB(b)[0]
        loss = 0
        for d, real, fake in ((ds[0], a, fb2a), (ds[1], a, fb2a), (ds[2], b, fa2b), (ds[3], b, fa2b)):
            r, f = d(real), d(fake)
            loss = loss + mse(r[0], torch.ones_like(r[0])) + mse(f[0], torch.zeros_like(f[0])) + mse(r[1], torch.ones_like(r[1])) + mse(f[1], torch.zeros_like(f[1]))
        loss.backward(); opt_d.step()
        opt_g.zero_grad()
        a2b, ca2b, _ = gA(a); b2a, cb2a, _ = gB(b)
        a2b2a, b2a2b = gB(a2b)[0], gA(b2a)[0]
        a2a, ca2a, _ = gB(a); b2b, cb2b, _ = gA(b)
        adv = 0
        for d, fake in ((ds[0], b2a), (ds[1], b2a), (ds[2], a2b), (ds[3], a2b)):
            o = d(fake); adv = adv + mse(o[0], torch.ones_like(o[0])) + mse(o[1], torch.ones_like(o[1]))
        cam = bce(cb2a, torch.ones_like(cb2a)) + bce(ca2a, torch.zeros_like(ca2a)) + bce(ca2b, torch.ones_like(ca2b)) + bce(cb2b, torch.zeros_like(cb2b))
        loss = adv + 10 * (l1(a2b2a, a) + l1(b2a2b, b)) + 10 * (l1(a2a, a) + l1(b2b, b)) + 1000 * cam
        loss.backward(); opt_g.step()
    return step

def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    part = sys.argv[2] if len(sys.argv) > 2 else 'all'
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    x = torch.randn(1, 3, 256, 256)
    for light in ((True, False) if part in ('all', 'translate') else ()):
        g = Gen(light=light).eval()
        with torch.no_grad(): print(json.dumps({'part': f"translate-{'light' if light else 'full'}", 'torch': torch.__version__, 'ms': timed(lambda: g(x), n)}), flush=True)
        del g
    if part not in ('all', 'train'): return
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 256
    step = train_step(size)
    cpu = time.process_time()
    ms = timed(step, n)
    cpu_ms = (time.process_time() - cpu) * 1000 / (n + 1)
    print(json.dumps({'part': 'train-light', 'size': size, 'torch': torch.__version__, 'ms': ms, 'itPerSec': 1000 / ms, 'cpuMsPerIteration': cpu_ms}), flush=True)

if __name__ == '__main__':
    main()
