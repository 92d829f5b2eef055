# The PyTorch side of `npm run bench:compare` (comparison only; never run by tests, CI or the library).
#   /usr/bin/python3 bench/compare_torch.py <workload> <dir> [threads]
# Builds the workload's reference (bench/stylegan2_torch.py, bench/stylegan3_torch.py, bench/ugatit_torch.py) on
# the weights stylelab exported to <dir>/weights.safetensors, runs it once, prints {"ready": ...}, then runs it
# once per 'run' line on stdin, printing {"ms", "cpuMs", ...}; 'quit' prints the peak RSS and exits.
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import torch  # noqa: E402

from torch_ops import read_safetensors  # noqa: E402

SG2_BASE = {256: 16384, 512: 32768, 1024: 32768}


def z_from_seed(seed):
    """z as numpy's RandomState(seed).randn(1, 512), as stylelab's zFromSeed."""
    return torch.from_numpy(np.random.RandomState(seed).randn(1, 512)).float()


def prefixed(tensors, prefix):
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}


def build(workload, weights):
    p = workload.split('-')
    if p[0] == 'sg2':
        from stylegan2_torch import Generator
        res = int(p[1])
        G = Generator(read_safetensors(weights), res, SG2_BASE[res]).eval()
        seed = iter(range(1 << 30))

        def run():
            with torch.no_grad():
                return G.synthesis(G.mapping(z_from_seed(next(seed))), noise_mode='const')
        return run, None
    if p[0] == 'sg3':
        from stylegan3_torch import Generator3
        G = Generator3(read_safetensors(weights), int(p[2]), p[1].upper())
        seed = iter(range(1 << 30))

        def run():
            with torch.no_grad():
                return G.synthesis(G.mapping(z_from_seed(next(seed)), psi=0.7))
        return run, None
    if p[0] == 'drag':
        from stylegan2_torch import DragStep, Generator
        res = int(p[1])
        G = Generator(read_safetensors(weights), res, SG2_BASE[res]).eval()
        c = round(res / 2)
        mask = None
        if len(p) > 2 and p[2] == 'mask':
            mask = torch.zeros(res, res)
            mask[: res // 2] = 1
        step = DragStep(G, [[c, c]], [[c, c + round(res / 4)]], mask=mask)

        def run():
            step.step()
        return run, None
    if workload == 'train-sg2-64':
        from stylegan2_torch import Discriminator, Generator, TrainStep
        t = read_safetensors(weights)
        G = Generator(prefixed(t, 'G.'), 64, 8192).train()
        G_ema = Generator({k: v.clone() for k, v in prefixed(t, 'G.').items()}, 64, 8192).eval()
        D = Discriminator(prefixed(t, 'D.'), 64, 8192).train()
        ts = TrainStep(G, D, G_ema)
        phases = (('Gmain', G, ts.optG, ts.gmain), ('Greg', G, ts.optG, ts.greg), ('Dmain', D, ts.optD, ts.dmain), ('Dreg', D, ts.optD, ts.dreg))

        def run():
            out = {}
            for name, module, opt, fn in phases:
                c, w = time.process_time(), time.perf_counter()
                ts.phase(name, module, opt, fn)
                out[name] = {'ms': (time.perf_counter() - w) * 1000, 'cpuMs': (time.process_time() - c) * 1000}
            ts.ema()
            return {'phases': out}
        return run, None
    if p[0] == 'ugatit':
        import ugatit_torch
        if p[1] == 'translate':
            g = ugatit_torch.Gen(light=p[2] == 'light').eval()
            x = torch.randn(1, 3, 256, 256)

            def run():
                with torch.no_grad():
                    g(x)
            return run, None
        step = ugatit_torch.train_step(int(p[2]))

        def run():
            step()
        return run, None
    raise ValueError(f'unknown workload {workload}')


def main():
    workload, folder = sys.argv[1], sys.argv[2]
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    torch.manual_seed(0)

    def say(o):
        sys.stdout.write(json.dumps(o) + '\n')
        sys.stdout.flush()
    t = time.perf_counter()
    run, _ = build(workload, os.path.join(folder, 'weights.safetensors'))
    setup_ms = (time.perf_counter() - t) * 1000
    c, t = time.process_time(), time.perf_counter()
    first = run()
    if isinstance(first, torch.Tensor):  # the first image, for the output check
        first.detach().numpy().astype('<f4').tofile(os.path.join(folder, 'out-torch.f32'))
    say({'ready': True, 'setupMs': setup_ms, 'firstMs': (time.perf_counter() - t) * 1000, 'firstCpuMs': (time.process_time() - c) * 1000, 'torch': torch.__version__})
    for line in sys.stdin:
        line = line.strip()
        if line == 'run':
            c, t = time.process_time(), time.perf_counter()
            extra = run()
            say({'ms': (time.perf_counter() - t) * 1000, 'cpuMs': (time.process_time() - c) * 1000, **(extra if isinstance(extra, dict) else {})})
        elif line == 'quit':
            break
    say({'peakMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


if __name__ == '__main__':
    main()
