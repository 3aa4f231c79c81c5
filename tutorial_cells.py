"""Run a tutorial notebook's own code inside another notebook: lessons and solutions build on it.

The lessons in `lessons/` and the solutions in `solutions/` do not copy a tutorial's code; they
execute its code cells, quietly, in their own namespace. A change to a tutorial therefore reaches
them at once, and the test suite checks all of them.
"""

import ast
import contextlib
import io
import json
from pathlib import Path

import matplotlib.pyplot as plt

REPO = Path(__file__).resolve().parent
PART_ONE, PART_ONE_END = "lora.ipynb", "## Exercises"
_SAVED = 'Path(CHECKPOINT_DIR) / f"seed_{SEED}" / '  # where part one's section 10 saves its models
# Part one's cells that train, by a name each defines, and what runs instead when part one's models
# for this seed are saved (None: nothing). Cells that use what a skipped cell defined are skipped.
LOAD_INSTEAD_OF_TRAINING = {
    "pretrain_losses": "pretrained.load_state_dict(torch.load("
    + _SAVED
    + '"pretrained.pt", weights_only=True))',
    "naive": None,
    "finetune_history": "adapted.load_state_dict(torch.load("
    + _SAVED
    + '"adapter.pt", weights_only=True)["tensors"], strict=False)',
}


# A lesson's cells that train and save a model, by a name each defines: the model and the file in
# the seed's checkpoint folder it is loaded from instead (run_tutorial(..., load_saved=True)).
LESSON_CHECKPOINTS = {"transformer_history": ("transformer", "transformer.pt")}

SKIPPED_IN_LESSONS = "skip-in-lessons"  # the tag of part one's cells that only show (timings)


def load_part_one(namespace):
    """Part one's code, data and trained models in `namespace` (a lesson's globals()).

    Runs lora.ipynb's code cells up to its exercises, with the lesson's own values of any parameter
    it already set (SEED, CHECKPOINT_DIR, ...), except the cells tagged "skip-in-lessons". When part
    one saved its models for this SEED, the training cells load them instead; otherwise part one
    trains them and saves them.
    """
    folder = Path(namespace["CHECKPOINT_DIR"]) / f"seed_{namespace['SEED']}"
    saved = all((folder / name).exists() for name in ("pretrained.pt", "adapter.pt"))
    cells = [
        (source, tags)
        for source, tags in _code_cells(PART_ONE, PART_ONE_END)
        if SKIPPED_IN_LESSONS not in tags
    ]
    if saved:
        cells = list(_loading_instead_of_training(cells))
    for source, tags in cells:
        chosen = {name: namespace[name] for name in _top_level_names(source) if name in namespace}
        _run_quietly(source, namespace, PART_ONE)
        if "parameters" in tags:
            namespace.update(chosen)  # the lesson's parameters win
    return f"part one's models for seed {namespace['SEED']}: " + (
        f"loaded from {folder}" if saved else f"trained and saved in {folder}"
    )


def _code_cells(notebook, before=None):
    """(source, tags) of every code cell; with `before`, only those above the first markdown cell
    that starts with that text."""
    cells = json.loads((REPO / notebook).read_text())["cells"]
    if before is not None:
        starts = [
            cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith(before)
            for cell in cells
        ]
        if not any(starts):
            raise ValueError(f"{notebook} has no markdown cell that starts with {before!r}")
        cells = cells[: starts.index(True)]
    return [
        ("".join(cell["source"]), cell["metadata"].get("tags", []))
        for cell in cells
        if cell["cell_type"] == "code"
    ]


def _loading_instead_of_training(cells):
    missing = set()  # names only a skipped cell defined
    for source, tags in cells:
        defined = _top_level_names(source)
        trains = defined & LOAD_INSTEAD_OF_TRAINING.keys()
        if trains or (_used_names(source) - defined) & missing:
            missing |= defined
            instead = LOAD_INSTEAD_OF_TRAINING.get(next(iter(trains), None))
            if instead:
                yield instead, tags
        else:
            missing -= defined
            yield source, tags


def run_tutorial(notebook, namespace, before=None, only_defining=None, load_saved=False):
    """Execute code cells of the tutorial `notebook` (a file beside this module) in `namespace`.

    before="## 8.": every code cell above the first markdown cell that starts with that text.
    only_defining=["quantize", ...]: only the cells that define one of these names at top level.
    load_saved=True: a cell of LESSON_CHECKPOINTS loads the model it trains instead, when the
    lesson saved it for namespace's SEED in its CHECKPOINT_DIR (run the parameters cell first).
    Printed output, progress bars and figures are swallowed; errors are not.
    """
    if (before is None) == (only_defining is None):
        raise ValueError("give exactly one of before= and only_defining=")
    sources = [source for source, _ in _code_cells(notebook, before)]
    if only_defining is not None:
        wanted = set(only_defining)
        sources = [source for source in sources if _top_level_names(source) & wanted]
        missing = wanted - set().union(*map(_top_level_names, sources))
        if missing:
            raise ValueError(f"{notebook} defines none of {sorted(missing)} at top level")
    if load_saved:
        folder = Path(namespace["CHECKPOINT_DIR"]) / f"seed_{namespace['SEED']}"
        sources = [_saved_instead(source, folder) for source in sources]
    for source in sources:
        _run_quietly(source, namespace, notebook)


def _saved_instead(source, folder):
    """The code that loads what the cell `source` trains, when it is saved in `folder`; else the
    cell itself."""
    for name, (model, file) in LESSON_CHECKPOINTS.items():
        if name in _top_level_names(source) and (folder / file).exists():
            return f'{model}.load_state_dict(torch.load({_SAVED}"{file}", weights_only=True))'
    return source


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


def _used_names(source):
    """Names the cell reads when it runs (not inside the functions it defines) but never binds."""
    read, bound, nodes = set(), set(), [ast.parse(source)]
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            nodes.extend(ast.iter_child_nodes(node))
    return read - bound


def _run_quietly(source, namespace, notebook):
    show = plt.show
    plt.show = lambda *args, **kwargs: plt.close("all")
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(source, f"<{notebook}>", "exec"), namespace)
    finally:
        plt.show = show
