"""VALIDATION.md and its figure, generated from the seed sweep's record (validation/sweep.json).

python tests/seed_sweep.py --report
"""

import statistics
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RECORD = REPO / "validation" / "sweep.json"
VALIDATION = REPO / "VALIDATION.md"
FIGURE = REPO / "validation" / "core_claim.png"
EVERY_ASSERT = "every assert holds"
# what the sweep records of each fine-tune a notebook checks with section 7's `check_the_fix`
CUT, CHANGE = "weak-digit errors cut", "accuracy change, points"
GAP = "weak digit's error rate minus the other nine's mean, points"
CORE_NOTEBOOK, CORE_LABEL = "lora.ipynb", "LoRA, mixed batches"
CORE_CUT, CORE_CHANGE = f"{CORE_LABEL}: {CUT}", f"{CORE_LABEL}: {CHANGE}"
ASSERTED = {CORE_CUT: 0.5, CORE_CHANGE: -0.1}  # section 7's bars: cut at least half, lose <= 0.1 pt
TUNING_SEEDS = "0–19"
CHANGED_CLAIMS = """## Claims changed after a held-out failure

- Seed 12041, `lora.ipynb`: section 7 asserted that the weak digit's error rate ends at or below
  the other nine digits' mean. There it ended above it, although its errors were cut by 56% and the
  accuracy rose 1.15 points. That is not a property of the method, so section 7 now prints the
  comparison instead of asserting it, and the sweep records it (the row "weak digit's error rate
  minus the other nine's mean"). The changed notebook then ran on fresh held-out seeds, with the
  lessons (the runs at a later commit above)."""


def seed_ranges(seeds):
    """[0, 1, 2, 5] -> '0–2, 5'."""
    seeds, parts = sorted(set(seeds)), []
    start = previous = seeds[0]
    for seed in seeds[1:] + [None]:
        if seed != (previous + 1 if previous is not None else None):
            parts.append(f"{start}" if start == previous else f"{start}–{previous}")
            start = seed
        previous = seed
    return ", ".join(parts)


def by(rows, *keys):
    groups = {}
    for row in rows:
        groups.setdefault(tuple(row[key] for key in keys), []).append(row)
    return groups


def latest(rows):
    """For each notebook and seed, the rows of its last run only (the record is in run order)."""
    last = {(row["notebook"], row["seed"]): row["commit"] for row in rows}
    return [row for row in rows if last[row["notebook"], row["seed"]] == row["commit"]]


def runs_table(rows):
    lines = [
        "| notebook | role | commit | seeds | runs | failures |",
        "| --- | --- | --- | --- | ---: | ---: |",
    ]
    verdicts = [row for row in rows if row["claim"] == EVERY_ASSERT]
    groups = by(verdicts, "notebook", "role", "commit")
    for (notebook, role, commit), group in sorted(groups.items()):
        failures = sum(1 - row["value"] for row in group)
        seeds = seed_ranges([row["seed"] for row in group])
        lines.append(f"| `{notebook}` | {role} | {commit} | {seeds} | {len(group)} | {failures} |")
    return "\n".join(lines)


def claims_table(rows):
    lines = [
        "| notebook | claim (held-out seeds) | seeds | min | median | max |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    measured = [r for r in latest(rows) if r["claim"] != EVERY_ASSERT and r["role"] == "held-out"]
    for (notebook, claim), group in sorted(by(measured, "notebook", "claim").items()):
        values = [row["value"] for row in group]
        shown = [f"{v:.0%}" if claim.endswith(CUT) else f"{v:+.2f}" for v in values]
        low, high = shown[values.index(min(values))], shown[values.index(max(values))]
        median = statistics.median(values)
        median_shown = f"{median:.0%}" if claim.endswith(CUT) else f"{median:+.2f}"
        lines.append(
            f"| `{notebook}` | {claim} | {len(values)} | {low} | {median_shown} | {high} |"
        )
    return "\n".join(lines)


def failures_list(rows):
    failed = [row for row in rows if row["claim"] == EVERY_ASSERT and not row["value"]]
    if not failed:
        return "None: every assert of every notebook held on every seed above."
    return "\n".join(
        f"- seed {row['seed']}, `{row['notebook']}` ({row['commit']}): {row['failure']}"
        for row in sorted(failed, key=lambda row: (row["notebook"], row["seed"]))
    )


def core_figure(rows):
    core = by([r for r in latest(rows) if r["notebook"] == CORE_NOTEBOOK], "seed", "role")
    points = {
        key: {row["claim"]: row["value"] for row in group}
        for key, group in core.items()
        if CORE_CUT in {row["claim"] for row in group}
    }
    fig, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    for role, marker, size in (("held-out", "o", 20), ("committed", "*", 160)):
        chosen = [p for (seed, r), p in points.items() if r == role]
        if not chosen:
            continue
        ax.scatter(
            [p[CORE_CUT] for p in chosen],
            [p[CORE_CHANGE] for p in chosen],
            marker=marker,
            s=size,
            label=f"{role} seeds ({len(chosen)})" if role == "held-out" else "seed 0 (committed)",
        )
    ax.axvline(ASSERTED[CORE_CUT], color="gray", linestyle="--", label="asserted bars")
    ax.axhline(ASSERTED[CORE_CHANGE], color="gray", linestyle="--")
    ax.set(
        xlabel="weak digit's test errors cut by the rank-1 adapter",
        ylabel="test accuracy change (points)",
        title="Section 7's asserted claims on each seed: the weak digit's\n"
        "errors at least halve, the accuracy drops by at most 0.1 points",
    )
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    FIGURE.parent.mkdir(exist_ok=True)
    fig.savefig(FIGURE, dpi=100)
    plt.close(fig)


def write_report(rows):
    core_figure(rows)
    VALIDATION.write_text(f"""# Validation: every claim, on many seeds

Generated by `python tests/seed_sweep.py --report` from the sweep's record,
[validation/sweep.json](validation/sweep.json) (one row per notebook, seed and claim); do not edit
it by hand.

Every notebook states its claims as `assert`s that are meant to hold for any `SEED`, and is
committed with seed 0. Part one's fine-tuning recipe (section 7 of `lora.ipynb`: steps, learning
rate, share of the weak digit in each batch, early stopping or not) was chosen on the **tuning
seeds {TUNING_SEEDS}**. Every seed marked *held-out* below was never used to choose a recipe or a
threshold, like a test split: the sweep ran each notebook on it once, with the code of the commit
shown, and recorded whether every assert held and what each fine-tune printed. The lessons run on
the same seed after `lora.ipynb`, from the models it saved.

## Runs

{runs_table(rows)}

## What the fine-tunes printed, on the held-out seeds

For every fine-tune a notebook checks with section 7's `check_the_fix`: the weak digit's test
errors cut (1 − after / before) and the change of test accuracy in points, asserted at least 50% and
at least −0.1 points; and the weak digit's test error rate minus the mean rate of the other nine
digits, printed but not asserted (at or below 0: the weak digit ends no weaker than the average).

{claims_table(rows)}

![The core claim across seeds](validation/core_claim.png)

## Failures

{failures_list(rows)}

{CHANGED_CLAIMS}

## Reproduce

```bash
python tests/seed_sweep.py lora.ipynb 12000-12049 --jobs 2   # the core story
python tests/seed_sweep.py lessons 12000-12009 --jobs 2      # lora.ipynb, then every lesson
python tests/seed_sweep.py lora.ipynb 0 --role committed     # the committed seed, for the figure
python tests/seed_sweep.py --report                          # this page
```
""")
