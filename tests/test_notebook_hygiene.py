"""Fast checks over every committed notebook: the shape nbval and readers rely on."""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STUDENT_NOTEBOOKS = sorted(REPO.glob("*.ipynb")) + sorted(REPO.glob("lessons/*.ipynb"))
NOTEBOOKS = STUDENT_NOTEBOOKS + sorted(REPO.glob("solutions/*.ipynb"))
MAX_CELLS = {"lora.ipynb": 70, "lessons": 60}  # one class each
# a count of seeds or runs typed into the prose ("on 58 of 74 seeds"): it belongs in VALIDATION.md
CROSS_SEED_COUNT = re.compile(
    r"\b\d+\s*(?:of|out of|/)\s*(?:the\s+)?\d+\s+(?:[\w-]+\s+)?(?:seeds|runs)\b"
    r"|\bseeds?\s+\d+\s*[–-]\s*\d+",
    re.IGNORECASE,
)
MAX_BYTES = 1_000_000
FIGURE_CALLS = re.compile(r"\bplt\.(show|imshow|plot|bar|subplots|figure)\b")
PRIVATE_PATH = re.compile(r"(/home/|/root/|/Users/|/work/|[A-Z]:\\\\Users)")


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def output_texts(cell):
    for output in cell.get("outputs", []):
        if "text" in output:
            yield "".join(output["text"])
        for mime, value in output.get("data", {}).items():
            if mime.startswith("text/"):
                yield "".join(value)
        if output.get("output_type") == "error":
            yield "\n".join(output.get("traceback", []))


@pytest.fixture(params=NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def notebook(request):
    return json.loads(request.param.read_text())


def markdown_text(notebook):
    return "\n".join(
        "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"
    )


def test_the_tutorials_lessons_and_solutions_are_collected():
    expected = {"svd.ipynb", "lora.ipynb", "svd_solutions.ipynb", "lora_solutions.ipynb"}
    assert expected <= {path.name for path in NOTEBOOKS}
    assert len(list(REPO.glob("lessons/*.ipynb"))) >= 4


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=[path.name for path in STUDENT_NOTEBOOKS])
def test_one_class_each(path):
    limit = MAX_CELLS.get(path.name, MAX_CELLS.get(path.parent.name, 60))
    assert len(json.loads(path.read_text())["cells"]) <= limit


def test_no_typed_cross_seed_counts(notebook):
    # a notebook says what this run shows; counts over many seeds live in VALIDATION.md
    found = CROSS_SEED_COUNT.findall(markdown_text(notebook))
    assert not found, found


def test_the_rule_against_cross_seed_counts_catches_them():
    typed = "alone on 58 of the 74 seeds; ok on 10 / 10 held-out runs; on seeds 0–19"
    assert len(CROSS_SEED_COUNT.findall(typed)) == 3


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=[path.name for path in STUDENT_NOTEBOOKS])
def test_students_get_no_solution_links(path):
    # the teachers' section of the README points to solutions/; a student notebook does not
    assert "solutions/" not in markdown_text(json.loads(path.read_text()))


def test_every_lesson_has_its_parameters_and_exercises():
    for path in [REPO / "lora.ipynb", *sorted(REPO.glob("lessons/*.ipynb"))]:
        cells = json.loads(path.read_text())["cells"]
        assert any("parameters" in c["metadata"].get("tags", []) for c in cells), path.name
        assert "## Exercises" in markdown_text({"cells": cells}), path.name


def test_executed_top_to_bottom(notebook):
    counts = [cell["execution_count"] for cell in code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), "re-execute the notebook top to bottom"


def test_no_error_outputs(notebook):
    for cell in code_cells(notebook):
        assert all(output["output_type"] != "error" for output in cell["outputs"]), cell["source"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_under_one_megabyte(path):
    assert path.stat().st_size < MAX_BYTES


def test_kernelspec_is_python3(notebook):
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_every_figure_cell_has_a_png(notebook):
    for cell in code_cells(notebook):
        if FIGURE_CALLS.search("".join(cell["source"])):
            mimes = {mime for output in cell["outputs"] for mime in output.get("data", {})}
            assert "image/png" in mimes, "".join(cell["source"])[:200]


def test_no_absolute_paths_or_user_names_in_outputs(notebook):
    for cell in code_cells(notebook):
        for text in output_texts(cell):
            assert not PRIVATE_PATH.search(text), text[:300]


def test_starts_with_a_title(notebook):
    first = notebook["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# ")


def test_no_test_harness_in_the_text(notebook):
    # nbval is steered by cell tags (nbval-ignore-output), never by comments the reader sees
    for cell in notebook["cells"]:
        assert "NBVAL" not in "".join(cell["source"]), "".join(cell["source"])[:200]


def test_speaks_to_learners(notebook):
    # learners have the notebooks, not the project's planning documents
    for cell in notebook["cells"]:
        assert not re.search(r"\bbrief\b", "".join(cell["source"]), re.IGNORECASE), "".join(
            cell["source"]
        )[:200]
