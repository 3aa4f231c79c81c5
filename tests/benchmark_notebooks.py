"""Benchmark: execute each notebook headless, report wall time and peak memory against its budget.

    python tests/benchmark_notebooks.py [--repeat N] [NOTEBOOK ...]
    python tests/benchmark_notebooks.py --part-one --repeat 3   # sections 0-10 of lora.ipynb

Not a test (timings are machine-dependent): the budgets are for a 2-core laptop CPU. Exits 1 if a
notebook runs over its budget (the median, with --repeat). Each notebook runs in a fresh process;
the clock runs from starting its kernel to shutting the kernel down. It leaves out starting that
process, this script's imports there (nbformat alone takes about a second) and reading the notebook.
Before and after each notebook the script measures the CPU's float32 matrix-product speed: on a
shared machine it varies, and two timings compare fairly only at similar speeds.
"""

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from seed_sweep import notebook_until

REPO = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = {
    "svd.ipynb": 15,
    "lora.ipynb": 80,
    "svd_solutions.ipynb": 15,  # the two solutions notebooks: 60 s together
    "lora_solutions.ipynb": 45,
    "lora_part_one.ipynb": 25,  # lora.ipynb up to the end of section 10, the core story
}
PART_TWO = "# Part two"  # the markdown cell that opens section 11


def execute(path):
    """Run one notebook; return (seconds from kernel start to kernel shutdown, the kernel's peak
    resident memory in MiB)."""
    client = NotebookClient(
        nbformat.read(path, as_version=4),
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB


def matmul_gflops(repeats=50):
    """Float32 GFLOP/s of a (256 x 1000) @ (1000 x 2000) product, the MLP's largest layer."""
    import torch  # not at the top: each fresh process re-imports this module and needs no torch

    inputs, weight = torch.randn(256, 1000), torch.randn(1000, 2000)
    inputs @ weight  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        inputs @ weight
    return 2 * 256 * 1000 * 2000 * repeats / (time.perf_counter() - start) / 1e9


def benchmark(path):
    """(seconds, peak MiB) of one run of the notebook at `path`, in a fresh process."""
    with ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn")
    ) as fresh_process:
        return fresh_process.submit(execute, path).result()


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", help="default: every notebook")
    parser.add_argument("--part-one", action="store_true", help="lora.ipynb's sections 0-10 only")
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook (median judged)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    if args.part_one and args.notebooks:
        parser.error("--part-one runs lora.ipynb's sections 0-10; give no notebooks with it")
    with tempfile.TemporaryDirectory() as folder:
        if args.part_one:
            paths = [notebook_until(PART_TWO, folder, "lora_part_one.ipynb")]
        else:
            paths = [REPO / name for name in args.notebooks] or (
                sorted(REPO.glob("*.ipynb")) + sorted(REPO.glob("solutions/*.ipynb"))
            )
        return report(paths, args.repeat)


def report(paths, repeat):
    print(
        f"{'notebook':<20} {'wall s':>7} {'budget s':>9} {'peak MiB':>9} "
        f"{'GFLOP/s before, after':>21}  verdict"
    )
    over_budget = False
    for path in paths:
        budget = BUDGET_SECONDS.get(path.name, float("inf"))
        runs = []
        for _ in range(repeat):
            speed_before = matmul_gflops()
            seconds, peak_mib = benchmark(path)
            runs.append(seconds)
            print(
                f"{path.name:<20} {seconds:7.1f} {budget:9.0f} {peak_mib:9.0f} "
                f"{speed_before:12.0f}, {matmul_gflops():7.0f}  "
                f"{'ok' if seconds <= budget else 'OVER BUDGET'}"
            )
        median = statistics.median(runs)
        over_budget |= median > budget
        if repeat > 1:
            print(
                f"{path.name}: min {min(runs):.1f} s, median {median:.1f} s  "
                f"{'ok' if median <= budget else 'OVER BUDGET'}"
            )
    return 1 if over_budget else 0


if __name__ == "__main__":
    sys.exit(main())
