"""Seed sweep: run notebooks on many seeds, record every claim per seed, generate VALIDATION.md.

    python tests/seed_sweep.py lora.ipynb 12000-12049 --jobs 2     # the core story, 50 seeds
    python tests/seed_sweep.py lessons 12000-12009 --jobs 2        # lora.ipynb, then every lesson
    python tests/seed_sweep.py lora.ipynb,lessons/1_x.ipynb 3 --checkpoints runs   # keep the models
    python tests/seed_sweep.py lora.ipynb 0 --role committed       # the committed seed
    python tests/seed_sweep.py --report                            # VALIDATION.md from the record

Each notebook runs through papermill (`-p SEED s -p CHECKPOINT_DIR ...`) in a fresh kernel; for one
seed, lora.ipynb runs first and the lessons load the models it saved. Every run adds one row per
claim to validation/sweep.json (committed): the notebook, the seed, its role (tuning, held-out or
committed), the commit, the claim and its value. The claims are "every assert holds" (1 or 0, with
the assert that failed) and, for every fine-tune a notebook checks with `check_the_fix`, the weak
digit's error cut and the accuracy change it prints; the same for each placement of lesson 3's
study, and the slopes of lesson 4's DoRA analysis. Not a test (it takes minutes): the evidence
behind the notebooks' claims. Exits 1 if any run fails.
"""

import argparse
import fcntl
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from validation_report import (
    CHANGE,
    CUT,
    EVERY_ASSERT,
    GAP,
    PLACEMENT,
    RECORD,
    WEAK_ERRORS,
    write_report,
)

REPO = Path(__file__).resolve().parent.parent
PART_ONE = "lora.ipynb"
LESSONS = sorted(str(path.relative_to(REPO)) for path in REPO.glob("lessons/*.ipynb"))
# what `check_the_fix` prints for each fine-tune it checks (lora.ipynb, section 7)
CHECKED_FIX = re.compile(
    r"^(?P<label>\S[^\n]*)\n  weak digit \d test errors: (?P<before>\d+) -> (?P<after>\d+)"
    r".*?error rate (?P<rate>[\d.]+)%; other nine digits, mean (?P<others>[\d.]+)%"
    r".*?test accuracy: (?P<acc_before>[\d.]+) -> (?P<acc_after>[\d.]+)",
    re.MULTILINE | re.DOTALL,
)
# each row of the placement study's table (lessons/3_lora_in_attention.ipynb, section 19), and
# its reference, full fine-tuning (rank "-")
PLACEMENT_ROW = re.compile(
    r"^(?P<label>\S[^\n]*?) {2,}(?:\d+|-) +[\d,]+ +(?P<before>\d+) -> +(?P<after>\d+) +\(.*?\)"
    r".*? (?P<acc_before>[01]\.\d+) -> (?P<acc_after>[01]\.\d+) ",
    re.MULTILINE,
)
TRANSFORMER = re.compile(r"^(?P<claim>transformer test accuracy): (?P<value>[\d.]+) ", re.MULTILINE)
# DoRA's pattern analysis (lessons/4_descendants.ipynb): the slope of ΔD against ΔM per method
SLOPE = re.compile(r"^(?P<claim>ΔD/ΔM slope, [^:\n]+): (?P<value>[-+\d.e]+)$", re.MULTILINE)
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


def failed_assert(error):
    """The exception, and the source line (marked by an arrow) that stopped the notebook."""
    traceback = ANSI.sub("", "\n".join(error.traceback))
    arrows = re.findall(r"^-+> *\d+ (.*)$", traceback, re.MULTILINE)
    where = arrows[-1].strip() if arrows else ""
    return f"{error.ename}: {error.evalue or where}"[:160]


def run_notebook(notebook, seed, folder):
    """Execute `notebook` with SEED = seed; return (verdict, everything it printed)."""
    import papermill  # imported here: `--help` and `--report` work without it
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    output = Path(folder) / f"{Path(notebook).stem}_seed_{seed}.ipynb"
    parameters = {"SEED": seed, "CHECKPOINT_DIR": str(Path(folder) / "checkpoints")}
    try:
        papermill.execute_notebook(
            REPO / notebook,
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
    return verdict, printed(output)


def printed(notebook):
    """Everything an executed notebook printed (its stdout), cell after cell."""
    return "".join(
        out.get("text", "")
        for cell in nbformat.read(notebook, as_version=4).cells
        for out in cell.get("outputs", [])
        if out.get("name") == "stdout"
    )


def claims(notebook, seed, verdict, stdout):
    """One row per claim of one run (role and commit are added by the caller)."""
    rows = [
        {"notebook": notebook, "seed": seed, "claim": EVERY_ASSERT, "value": int(verdict == "ok")}
        | ({} if verdict == "ok" else {"failure": verdict})
    ]
    for fix in CHECKED_FIX.finditer(stdout):
        before, after = int(fix["before"]), int(fix["after"])
        change = 100 * (float(fix["acc_after"]) - float(fix["acc_before"]))
        gap = round(float(fix["rate"]) - float(fix["others"]), 2)
        measured = ((CUT, round(1 - after / before, 4)), (CHANGE, round(change, 2)), (GAP, gap))
        for claim, value in measured:
            rows.append(
                {"notebook": notebook, "seed": seed, "claim": f"{fix['label']}: {claim}"}
                | {"value": value}
            )
    for row in PLACEMENT_ROW.finditer(stdout):
        before, after = int(row["before"]), int(row["after"])
        change = 100 * (float(row["acc_after"]) - float(row["acc_before"]))
        measured = ((WEAK_ERRORS, after), (CUT, round(1 - after / before, 4)), (CHANGE, change))
        for claim, value in measured:
            claim, value = f"{PLACEMENT} {row['label']}: {claim}", round(value, 4)
            rows.append({"notebook": notebook, "seed": seed, "claim": claim, "value": value})
    for printed in [*TRANSFORMER.finditer(stdout), *SLOPE.finditer(stdout)]:
        rows.append(
            {"notebook": notebook, "seed": seed, "claim": printed["claim"]}
            | {"value": float(printed["value"])}
        )
    return rows


def run_seed(notebooks, seed, folder):
    """Run `notebooks` in order on one seed, sharing one checkpoint folder; return their rows."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    rows = []
    for notebook in notebooks:
        verdict, stdout = run_notebook(notebook, seed, folder)
        rows += claims(notebook, seed, verdict, stdout)
    return rows


def describe(rows):
    """One line per notebook run: the verdict, and the numbers it printed."""
    lines = []
    for row in rows:
        claim, value = row["claim"], row["value"]
        if claim == EVERY_ASSERT:
            lines.append(f"seed {row['seed']:>5} {row['notebook']}: {row.get('failure', 'ok')}")
        elif claim.endswith(CUT):
            lines[-1] += f"; {claim} {value:.0%}"
        elif claim.endswith((CHANGE, GAP)):
            lines[-1] += f", {value:+.2f} pt"
        elif not claim.endswith(WEAK_ERRORS):
            lines[-1] += f"; {claim} {value:g}"
    return "\n".join(lines)


def summary(rows):
    """Per notebook and claim: runs, failures or min / median / max."""
    lines = []
    for (notebook, claim), values in grouped(rows).items():
        if claim == EVERY_ASSERT:
            lines.append(f"{notebook}: {values.count(0)} failures / {len(values)} seeds")
        else:
            lines.append(
                f"{notebook}: {claim}: min {min(values):g}, median "
                f"{statistics.median(values):g}, max {max(values):g} ({len(values)} seeds)"
            )
    return "\n".join(lines)


def grouped(rows):
    groups = {}
    for row in rows:
        groups.setdefault((row["notebook"], row["claim"]), []).append(row["value"])
    return groups


def current_commit(notebooks):
    """HEAD's short hash, marked when what runs (the notebooks, the modules) differs from it."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    code = [*notebooks, "tutorial_cells.py", "mnist_data.py", "lora_diagram.py"]
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", *code], cwd=REPO).returncode
    return head + ("+uncommitted" if dirty else "")


def record(rows):
    """Add `rows` to validation/sweep.json, replacing earlier rows of the same notebook, seed and
    commit (under a lock: two sweeps may run at once). Runs at other commits stay on record."""
    RECORD.parent.mkdir(exist_ok=True)
    with open(RECORD.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        old = json.loads(RECORD.read_text()) if RECORD.exists() else []
        runs = {run_of(row) for row in rows}
        kept = [row for row in old if run_of(row) not in runs]
        lines = ",\n".join(json.dumps(row, ensure_ascii=False) for row in kept + rows)
        RECORD.write_text(f"[\n{lines}\n]\n")


def run_of(row):
    return row["notebook"], row["seed"], row["commit"]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "notebook", nargs="?", help="a notebook, several joined by commas, or 'lessons'"
    )
    parser.add_argument("seeds", nargs="?", type=parse_seeds, help="e.g. 12000-12049 or 3,17,42")
    parser.add_argument("--jobs", type=int, default=1, help="seeds at a time (threads shared out)")
    parser.add_argument(
        "--role", choices=["held-out", "tuning", "committed"], default="held-out",
        help="what these seeds are for (default: held-out, never used to choose anything)",
    )  # fmt: skip
    parser.add_argument(
        "--checkpoints",
        type=Path,
        help="keep each seed's models here (default: a temporary folder)",
    )
    parser.add_argument("--report", action="store_true", help="only regenerate VALIDATION.md")
    args = parser.parse_args(argv)
    if args.report:
        write_report(json.loads(RECORD.read_text()))
        return 0
    if args.notebook is None or args.seeds is None:
        parser.error("give a notebook and seeds, or --report")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    notebooks = [PART_ONE, *LESSONS] if args.notebook == "lessons" else args.notebook.split(",")
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // args.jobs)))
    commit, rows = current_commit(notebooks), []
    with tempfile.TemporaryDirectory() as scratch, ThreadPoolExecutor(args.jobs) as pool:
        folders = [(args.checkpoints or Path(scratch)) / str(seed) for seed in args.seeds]
        for seed_rows in pool.map(lambda s, f: run_seed(notebooks, s, f), args.seeds, folders):
            seed_rows = [row | {"role": args.role, "commit": commit} for row in seed_rows]
            print(describe(seed_rows), flush=True)
            record(seed_rows)  # after every seed: an interrupted sweep keeps what it ran
            rows += seed_rows
    print(summary(rows))
    return 1 if any(row["claim"] == EVERY_ASSERT and not row["value"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
