"""Benchmark: execute each notebook headless, report wall time and peak memory against its budget.

    python tests/benchmark_notebooks.py [--repeat N] [NOTEBOOK ...]
    python tests/benchmark_notebooks.py --fresh lessons/*.ipynb   # without part one's checkpoints

Not a test (timings are machine-dependent): the budgets are for a 2-core laptop CPU. Exits 1 if a
notebook runs over its budget (the median, with --repeat). The lessons are timed with part one's
checkpoints present (run lora.ipynb first) or, with --fresh, with an empty checkpoint folder, so
that they re-create part one's models first (15 s more allowed). Each notebook runs in a fresh
process;
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

REPO = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = {"svd.ipynb": 15, "lora.ipynb": 25, "lessons": 40, "solutions": 45}
FRESH_EXTRA_SECONDS = 15  # a lesson that must re-create part one's models first


def budget(path, fresh):
    seconds = BUDGET_SECONDS.get(path.name, BUDGET_SECONDS.get(path.parent.name, float("inf")))
    return seconds + (FRESH_EXTRA_SECONDS if fresh else 0)


def with_checkpoints_in(path, folder):
    """The notebook at `path` with CHECKPOINT_DIR set to `folder` after its parameters cell."""
    notebook = nbformat.read(path, as_version=4)
    index = next(
        i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", [])
    )
    notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(f"CHECKPOINT_DIR = {folder!r}"))
    fresh = Path(folder) / path.name
    nbformat.write(notebook, fresh)
    return fresh


def execute(path, folder):
    """Run one notebook in `folder`; return (seconds from kernel start to kernel shutdown, the
    kernel's peak resident memory in MiB)."""
    client = NotebookClient(
        nbformat.read(path, as_version=4),
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
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


def benchmark(path, fresh):
    """(seconds, peak MiB) of one run of the notebook at `path`, in a fresh process; with `fresh`,
    an empty checkpoint folder."""
    with (
        tempfile.TemporaryDirectory() as folder,
        ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn")
        ) as fresh_process,
    ):
        runnable = with_checkpoints_in(path, folder) if fresh else path
        return fresh_process.submit(execute, runnable, path.parent).result()


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", help="default: every notebook, part one first")
    parser.add_argument("--fresh", action="store_true", help="an empty checkpoint folder")
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook (median judged)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    paths = [Path(name).resolve() for name in args.notebooks] or [
        REPO / "lora.ipynb",
        REPO / "svd.ipynb",
        *sorted(REPO.glob("lessons/*.ipynb")),
        *sorted(REPO.glob("solutions/*.ipynb")),
    ]
    return report(paths, args.repeat, args.fresh)


def report(paths, repeat, fresh):
    print(
        f"{'notebook':<44} {'wall s':>7} {'budget s':>9} {'peak MiB':>9} "
        f"{'GFLOP/s before, after':>21}  verdict"
    )
    over_budget = False
    for path in paths:
        limit, name = budget(path, fresh), str(path.relative_to(REPO))
        runs = []
        for _ in range(repeat):
            speed_before = matmul_gflops()
            seconds, peak_mib = benchmark(path, fresh)
            runs.append(seconds)
            print(
                f"{name:<44} {seconds:7.1f} {limit:9.0f} {peak_mib:9.0f} "
                f"{speed_before:12.0f}, {matmul_gflops():7.0f}  "
                f"{'ok' if seconds <= limit else 'OVER BUDGET'}"
            )
        median = statistics.median(runs)
        over_budget |= median > limit
        if repeat > 1:
            print(
                f"{name}: min {min(runs):.1f} s, median {median:.1f} s  "
                f"{'ok' if median <= limit else 'OVER BUDGET'}"
            )
    return 1 if over_budget else 0


if __name__ == "__main__":
    sys.exit(main())
