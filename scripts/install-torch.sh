#!/usr/bin/env bash
# Installs Debian's python3-torch (PyTorch 1.13 CPU) and OpenBLAS, which only the comparison benchmark
# (`npm run bench:compare`, bench/*_torch.py) runs; stylelab itself never needs them. libtorch recommends a
# BLAS: without OpenBLAS it falls back to the reference BLAS, several times slower in its transposed
# convolutions and matrix products. Idempotent: each package is installed only when missing.
# Usage: bash scripts/install-torch.sh   (then run the references with /usr/bin/python3)
set -euo pipefail
here="$(dirname "$0")"
bash "$here/apt-install.sh" libopenblas0-pthread /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0
exec bash "$here/apt-install.sh" python3-torch python3:torch
