"""pytest hooks for nbval, and the numerical setting every kernel of the test run starts with.

The committed outputs are written with the CPU's own kernels and all its threads. The tests run
every notebook with one thread and AVX2 kernels instead (on x86-64): summation order and vector
width change, so a cell that nbval compares exactly but that prints round-off fails here, as it
would on a learner's machine, instead of passing by luck (tests/test_portable_outputs.py is the
static half of this guard). Kernels inherit this environment when nbval or papermill start them.
"""

import os
import platform

OTHER_NUMERICS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
if platform.machine() in ("x86_64", "AMD64"):
    OTHER_NUMERICS |= {
        "ATEN_CPU_CAPABILITY": "avx2",  # PyTorch's own kernels
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",  # matrix products
        "ONEDNN_MAX_CPU_ISA": "AVX2",
    }
os.environ.update(OTHER_NUMERICS)


def pytest_collectstart(collector):
    # stderr (progress bars, warnings) varies between machines and is not compared
    if collector.path is not None and collector.path.suffix == ".ipynb":
        collector.skip_compare += ("stderr",)
