"""Run a tutorial notebook's own code inside another notebook: the solutions build on it.

The solutions in `solutions/` do not copy the tutorial's code; they execute the tutorial's code
cells, quietly, in their own namespace. A change to a tutorial therefore reaches its solutions at
once, and the test suite checks both.
"""

import ast
import contextlib
import io
import json
from pathlib import Path

import matplotlib.pyplot as plt

REPO = Path(__file__).resolve().parent


def run_tutorial(notebook, namespace, before=None, only_defining=None):
    """Execute code cells of the tutorial `notebook` (a file beside this module) in `namespace`.

    before="## 8.": every code cell above the first markdown cell that starts with that text.
    only_defining=["quantize", ...]: only the cells that define one of these names at top level.
    Printed output, progress bars and figures are swallowed; errors are not.
    """
    if (before is None) == (only_defining is None):
        raise ValueError("give exactly one of before= and only_defining=")
    cells = json.loads((REPO / notebook).read_text())["cells"]
    if before is not None:
        starts = [
            "".join(cell["source"]).startswith(before) and cell["cell_type"] == "markdown"
            for cell in cells
        ]
        if not any(starts):
            raise ValueError(f"{notebook} has no markdown cell that starts with {before!r}")
        cells = cells[: starts.index(True)]
    sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    if only_defining is not None:
        wanted = set(only_defining)
        sources = [source for source in sources if _top_level_names(source) & wanted]
        missing = wanted - set().union(*map(_top_level_names, sources))
        if missing:
            raise ValueError(f"{notebook} defines none of {sorted(missing)} at top level")
    for source in sources:
        _run_quietly(source, namespace, notebook)


def _top_level_names(source):
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {
                name.id
                for target in targets
                for name in ast.walk(target)
                if isinstance(name, ast.Name)
            }
    return names


def _run_quietly(source, namespace, notebook):
    show = plt.show
    plt.show = lambda *args, **kwargs: plt.close("all")
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(source, f"<{notebook}>", "exec"), namespace)
    finally:
        plt.show = show
