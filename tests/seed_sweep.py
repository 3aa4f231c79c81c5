"""Seed sweep: execute lora.ipynb for many seeds and check that every claim holds on each.

    python tests/seed_sweep.py --core 1000-1049     # sections 0-7 only (the core claims)
    python tests/seed_sweep.py 1000-1009            # the whole notebook
    python tests/seed_sweep.py 3,17,42 --jobs 2     # a list of seeds, two notebooks at a time

Each seed runs through papermill (`-p SEED s`) in a fresh kernel, with its own checkpoint folder.
One line per seed: the weak digit, its test errors before -> after, the cut, the accuracy change,
and "ok" or the assert that failed. The last line: failures / seeds, minimum and median cut,
minimum and median accuracy change. Not a test (it takes minutes): the evidence behind the
notebook's claims. Exits 1 if any seed fails.
"""

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "lora.ipynb"
CORE_END = "## 8."  # the core story ends where section 8 begins
# what section 7's `check_the_fix` prints for the adapter fine-tuned with mixed batches
SECTION_7 = re.compile(
    r"^LoRA, mixed batches\n  weak digit (\d) test errors: (\d+) -> (\d+)"
    r".*?test accuracy: ([\d.]+) -> ([\d.]+)",
    re.MULTILINE | re.DOTALL,
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CELL_TIMEOUT_S = 600  # no cell takes a minute; a cell still running after 10 minutes has stalled


def parse_seeds(text):
    """'1000-1049' or '3,17,42' (or a mix: '0-4,9') -> list of ints."""
    seeds = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        seeds += range(int(first), int(last or first) + 1)
    if not seeds or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(
            f"seeds must be distinct, e.g. 1000-1049 or 3,17,42; got {text!r}"
        )
    return seeds


def notebook_until(marker, folder, name):
    """lora.ipynb cut before its first cell that starts with `marker`, saved as `folder`/`name`."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    end = next(i for i, cell in enumerate(notebook.cells) if cell.source.startswith(marker))
    notebook.cells = notebook.cells[:end]
    path = Path(folder) / name
    nbformat.write(notebook, path)
    return path


def failed_assert(error):
    """The exception, and the source line (marked by an arrow) that stopped the notebook."""
    traceback = ANSI.sub("", "\n".join(error.traceback))
    arrows = re.findall(r"^-+> *\d+ (.*)$", traceback, re.MULTILINE)
    where = arrows[-1].strip() if arrows else ""
    return f"{error.ename}: {error.evalue or where}"[:160]


def run_seed(seed, notebook, folder):
    import papermill  # imported here: `--help` works without it
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    output = Path(folder) / f"seed_{seed}.ipynb"
    parameters = {"SEED": seed, "CHECKPOINT_DIR": str(Path(folder) / f"checkpoints_{seed}")}
    try:
        papermill.execute_notebook(
            notebook,
            output,
            parameters=parameters,
            cwd=str(REPO),
            progress_bar=False,
            kernel_name="python3",
            execution_timeout=CELL_TIMEOUT_S,
        )
        verdict = "ok"
    except papermill.PapermillExecutionError as error:
        verdict = "FAILED " + failed_assert(error)
    except (CellTimeoutError, DeadKernelError) as error:  # a stalled or killed kernel
        verdict = f"FAILED {type(error).__name__}: {str(error).splitlines()[0][:120]}"
    stdout = "".join(
        out.get("text", "")
        for cell in nbformat.read(output, as_version=4).cells
        for out in cell.get("outputs", [])
        if out.get("name") == "stdout"
    )
    result = {"seed": seed, "verdict": verdict}
    found = SECTION_7.search(stdout)
    if found:
        digit, before, after = (int(group) for group in found.groups()[:3])
        accuracy_before, accuracy_after = (float(group) for group in found.groups()[3:])
        result |= {
            "digit": digit,
            "before": before,
            "after": after,
            "cut": 1 - after / before,
            "change": 100 * (accuracy_after - accuracy_before),
        }
    return result


def describe(result):
    if "cut" not in result:
        return f"seed {result['seed']:>5}: section 7 did not run; {result['verdict']}"
    return (
        f"seed {result['seed']:>5}: weak digit {result['digit']}, "
        f"errors {result['before']:>3} -> {result['after']:>3}, "
        f"cut {result['cut']:4.0%}, accuracy {result['change']:+.2f} pt, {result['verdict']}"
    )


def summary(results):
    failures = sum(result["verdict"] != "ok" for result in results)
    measured = [result for result in results if "cut" in result]
    line = f"{failures} failures / {len(results)} seeds"
    if measured:
        cuts = [result["cut"] for result in measured]
        changes = [result["change"] for result in measured]
        line += (
            f"; cut min {min(cuts):.0%}, median {statistics.median(cuts):.0%}; "
            f"accuracy change min {min(changes):+.2f} pt, "
            f"median {statistics.median(changes):+.2f} pt"
        )
    return line


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("seeds", type=parse_seeds, help="e.g. 1000-1049 or 3,17,42")
    parser.add_argument("--core", action="store_true", help="run sections 0-7 only")
    parser.add_argument(
        "--jobs", type=int, default=1, help="notebooks at a time (CPU threads are shared out)"
    )
    parser.add_argument("--json", type=Path, help="also write the per-seed results to this file")
    parser.add_argument("--keep", type=Path, help="keep the executed notebooks in this folder")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // args.jobs)))
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or scratch
        Path(folder).mkdir(parents=True, exist_ok=True)
        notebook = notebook_until(CORE_END, folder, "lora_core.ipynb") if args.core else NOTEBOOK
        results = []
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for result in pool.map(lambda seed: run_seed(seed, notebook, folder), args.seeds):
                print(describe(result), flush=True)
                results.append(result)
    print(summary(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 1 if any(result["verdict"] != "ok" for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
