"""Mutualis: pooling services, equipment and digital tools between French local authorities."""

import os

# The engine's matrices are small (a few hundred rows at most): BLAS threads only add
# their wake-up latency, and contend with the web server's and worker's own threads. On a
# busy 2-core machine, one SVD of 50 × 49 took 120 ms with OpenBLAS threads and 1 ms
# without. Set before numpy is first imported (here, since every entry point imports this
# package first); an explicit setting in the environment wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"
