"""Static check: what nbval compares exactly holds on any CPU, not only on the one that ran it.

nbval compares every code cell not tagged `nbval-ignore-output` character for character. Floating
point round-off (a gradient difference of 1e-9, a float32 error of 6e-6, the fifth digit of a
norm) changes with the CPU's vector width, the BLAS kernel and the thread count, so such a cell may
print only counts, shapes, exact equalities, tolerances as verdicts ("to 1e-6"), and numbers
rounded so far that round-off cannot reach them (at most four significant digits). Round-off
itself is printed in a tagged cell, next to an `assert` of its tolerance.

The dynamic half of the guard is in conftest.py: nbval re-runs every notebook under another
numerical setting (one thread, AVX2 kernels) than the one that wrote the committed outputs.
"""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(
    path
    for path in REPO.rglob("*.ipynb")
    if not any(part.startswith(".") or part in ("checkpoints", "data") for part in path.parts)
)
IGNORE_OUTPUT = "nbval-ignore-output"
MAX_SIGNIFICANT_DIGITS = 4
SCIENTIFIC = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)[eE]([-+]?\d+)\b")
DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d+)(?![\d.eE]|\.\d)")


def compared_text(cell):
    """What nbval compares of a code cell: everything but stderr (see conftest.py)."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("name") == "stderr":
            continue
        parts.append("".join(output.get("text", "")))
        parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def round_off_prone_numbers(text):
    """The numbers in `text` whose printed digits round-off can change.

    Allowed: integers; a power of ten in scientific notation (a tolerance, "1e-06"); an exact zero;
    decimals with at most four significant digits.
    """
    found = []
    for match in SCIENTIFIC.finditer(text):
        mantissa = float(match.group(1))
        if mantissa not in (0.0, 1.0) or (mantissa == 1.0 and "." in match.group(1)):
            found.append(match.group(0))
    for match in DECIMAL.finditer(SCIENTIFIC.sub(" ", text)):
        digits = match.group(1).replace(".", "").lstrip("0")
        if len(digits) > MAX_SIGNIFICANT_DIGITS:
            found.append(match.group(1))
    return found


def test_the_rule_catches_round_off():
    printed = "max |difference| = 4.8e-06, 2.1e-09; ratio 1.53882; share 10.045%; 1.000040"
    assert round_off_prone_numbers(printed) == [
        "4.8e-06",
        "2.1e-09",
        "1.53882",
        "10.045",
        "1.000040",
    ]


def test_the_rule_lets_verdicts_and_rounded_numbers_through():
    printed = (
        "match to 1e-6 (tolerance 1e-05); difference 0.0e+00; 2,807,010 parameters; "
        "(1000, 784); 0.2270%; 9.8%; 0.0927; levels [-0.6962, 1.0]; seed 2718"
    )
    assert round_off_prone_numbers(printed) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(REPO)) for p in NOTEBOOKS])
def test_compared_cells_print_no_round_off(path):
    notebook = json.loads(path.read_text())
    offenders = [
        (index, round_off_prone_numbers(compared_text(cell)))
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code"
        and IGNORE_OUTPUT not in cell.get("metadata", {}).get("tags", [])
    ]
    offenders = [(index, numbers) for index, numbers in offenders if numbers]
    assert not offenders, (
        "cells compared by nbval print round-off (cell index, numbers); print a verdict, round "
        f"further, or move the number to a cell tagged {IGNORE_OUTPUT} with an assert: {offenders}"
    )
