"""Benchmark: execute each notebook headless, report wall time and peak memory against its budget.

    python tests/benchmark_notebooks.py [NOTEBOOK ...]

Not a test (timings are machine-dependent): the budgets are for a 2-core laptop CPU. Exits 1 if a
notebook runs over its budget. Each notebook runs in a fresh process, kernel start included.
"""

import multiprocessing
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = {
    "svd.ipynb": 15,
    "lora.ipynb": 80,
    "svd_solutions.ipynb": 15,  # the two solutions notebooks: 60 s together
    "lora_solutions.ipynb": 45,
}


def execute(path):
    """Run one notebook; return the peak resident memory of its kernel in MiB."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}
    ).execute()
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports KiB


def benchmark(path):
    with ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn")
    ) as fresh_process:
        start = time.perf_counter()
        peak_mib = fresh_process.submit(execute, path).result()
        return time.perf_counter() - start, peak_mib


def main(names):
    paths = [REPO / name for name in names] or (
        sorted(REPO.glob("*.ipynb")) + sorted(REPO.glob("solutions/*.ipynb"))
    )
    print(f"{'notebook':<12} {'wall s':>7} {'budget s':>9} {'peak MiB':>9}  verdict")
    over_budget = False
    for path in paths:
        seconds, peak_mib = benchmark(path)
        budget = BUDGET_SECONDS.get(path.name, float("inf"))
        over_budget |= seconds > budget
        print(
            f"{path.name:<12} {seconds:7.1f} {budget:9.0f} {peak_mib:9.0f}  "
            f"{'ok' if seconds <= budget else 'OVER BUDGET'}"
        )
    return 1 if over_budget else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
