"""The picture of LoRA: the frozen path x -> W0 beside the trained path x -> A -> B, added.

lora.ipynb draws it with `draw_lora_diagram()`; `python lora_diagram.py` writes the same figure to
docs/lora_diagram.png for the README.
"""

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch, Polygon

FROZEN, TRAINED = "#9ecae1", "#fdae6b"


def _box(ax, x, y, width, height, text, color):
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02",
            facecolor=color,
            edgecolor="black",
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _trapezoid(ax, x, y, wide, narrow, height, text, narrowing_up):
    # a matrix that maps a wide vector to a narrow one (A) or back (B), drawn as its shape
    bottom, top = (wide, narrow) if narrowing_up else (narrow, wide)
    corners = [
        (x - bottom / 2, y - height / 2),
        (x + bottom / 2, y - height / 2),
        (x + top / 2, y + height / 2),
        (x - top / 2, y + height / 2),
    ]
    ax.add_patch(Polygon(corners, facecolor=TRAINED, edgecolor="black"))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax, start, end):
    ax.annotate("", end, start, arrowprops={"arrowstyle": "->", "linewidth": 1.2})


def draw_lora_diagram():
    """One layer with LoRA: h = W0 x + (alpha / r) B A x; blue is frozen, orange is trained."""
    fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    ax.text(3, 0.2, r"input $x$ ($d_\mathrm{in}$ numbers)", ha="center", fontsize=11)
    _box(ax, 1.5, 2.4, 2.2, 2.2, "$W_0$\n$d_\\mathrm{out} \\times d_\\mathrm{in}$\nfrozen", FROZEN)
    _trapezoid(ax, 4.5, 1.6, 2.2, 0.8, 0.9, "$A$: $r \\times d_\\mathrm{in}$\nrandom", True)
    _trapezoid(ax, 4.5, 3.0, 2.2, 0.8, 0.9, "$B$: $d_\\mathrm{out} \\times r$\nstarts at 0", False)
    ax.text(5.2, 2.3, r"$r$ numbers", fontsize=9, va="center")
    ax.text(4.2, 4.15, r"$\times\ \alpha / r$", fontsize=11)
    ax.add_patch(plt.Circle((3, 4.7), 0.22, facecolor="white", edgecolor="black"))
    ax.text(3, 4.7, "+", ha="center", va="center", fontsize=14)
    ax.text(3, 5.3, r"$h = W_0 x + \frac{\alpha}{r} B A x$", ha="center", fontsize=12)
    for start, end in [
        ((3, 0.45), (1.5, 1.25)),
        ((3, 0.45), (4.5, 1.1)),
        ((4.5, 2.05), (4.5, 2.55)),
        ((1.5, 3.55), (2.8, 4.6)),
        ((4.5, 3.5), (3.2, 4.6)),
        ((3, 4.92), (3, 5.1)),
    ]:
        _arrow(ax, start, end)
    ax.set(xlim=(0, 6), ylim=(0, 5.8), aspect="equal")
    ax.axis("off")
    ax.set_title(
        "One layer with LoRA: frozen $W_0$ plus a low-rank $BA$\n(blue frozen, orange trained)"
    )
    return fig


if __name__ == "__main__":
    path = Path(__file__).resolve().parent / "docs" / "lora_diagram.png"
    path.parent.mkdir(exist_ok=True)
    draw_lora_diagram().savefig(path, dpi=100)
    print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
