# Comparison only (not run by tests or CI): the LPIPS part of a projector.py step timed in PyTorch: VGG16's
# features up to relu5_3 on a 256x256 image (torchvision's configuration D, random weights), the LPIPS v0.1 sum
# against fixed target features, and the gradient with respect to the image (the network's weights frozen, as
# in projector.py). Added to the official synthesis forward and backward (~1000 ms for StyleGAN2 256x256,
# channel_base 16384: ../shared/ENGINE.md's DragGAN step) it gives the official step on this machine.
#   /usr/bin/python3 bench/project_torch.py [threads] [iterations]   (Debian python3-torch 1.13)
import sys, time
import torch
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
iters = int(sys.argv[2]) if len(sys.argv) > 2 else 5
torch.set_num_threads(threads)
torch.manual_seed(0)
stages = [(3, 64, 2), (64, 128, 2), (128, 256, 3), (256, 512, 3), (512, 512, 3)]
convs = []
for cin, cout, n in stages:
    for i in range(n):
        c = cin if i == 0 else cout
        convs.append((torch.randn(cout, c, 3, 3) * (2 / (c * 9)) ** 0.5, torch.zeros(cout)))

def taps(x):
    out, k = [], 0
    for s, (_, _, n) in enumerate(stages):
        if s > 0:
            x = F.max_pool2d(x, 2)
        for _ in range(n):
            w, b = convs[k]
            x = F.relu(F.conv2d(x, w, b, padding=1))
            k += 1
        out.append(x)
    return out

def features(x):  # normalised taps times sqrt(w / (H W)), w = 1 / C: |phi(x) - phi(y)|^2 = LPIPS
    return torch.cat([(f / (f.square().sum(1, keepdim=True).sqrt() + 1e-10) / (f.shape[1] * f.shape[2] * f.shape[3]) ** 0.5).flatten(1) for f in taps(x)], 1)

target = features(torch.rand(1, 3, 256, 256) * 2 - 1).detach()
times, cpu = [], []
for i in range(iters + 1):
    x = (torch.rand(1, 3, 256, 256) * 2 - 1).requires_grad_(True)
    t, c = time.perf_counter(), time.process_time()
    dist = (target - features(x)).square().sum()
    dist.backward()
    times.append((time.perf_counter() - t) * 1000)
    cpu.append((time.process_time() - c) * 1000)
times, cpu = sorted(times[1:]), sorted(cpu[1:])
print(f'PyTorch {torch.__version__}, {threads} threads: VGG16 LPIPS forward + input gradient at 256x256: {times[len(times) // 2]:.0f} ms median (min {times[0]:.0f}, CPU {cpu[len(cpu) // 2]:.0f} ms)')
