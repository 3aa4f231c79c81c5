"""Fast checks over every committed notebook: the shape nbval and readers rely on."""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(REPO.glob("*.ipynb")) + sorted(REPO.glob("solutions/*.ipynb"))
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


def test_the_tutorial_notebooks_and_their_solutions_are_collected():
    expected = {"svd.ipynb", "lora.ipynb", "svd_solutions.ipynb", "lora_solutions.ipynb"}
    assert expected <= {path.name for path in NOTEBOOKS}


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
