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
PLACEMENT_FIGURE = REPO / "validation" / "placements.png"
EVERY_ASSERT = "every assert holds"
# what the sweep records of each fine-tune a notebook checks with section 7's `check_the_fix`
CUT, CHANGE = "weak-digit errors cut", "accuracy change, points"
GAP = "weak digit's error rate minus the other nine's mean, points"
# lesson 3's placement study: one claim per placement and measure, "placement q, v: <measure>"
PLACEMENT_NOTEBOOK, PLACEMENT, WEAK_ERRORS = (
    "lessons/3_lora_in_attention.ipynb",
    "placement",
    ("weak-digit test errors"),
)
REFERENCE = "full fine-tuning"  # the study's last row: every weight trains, no adapter, no budget
TRANSFORMER_ACCURACY = "transformer test accuracy"
SLOPE_NOTEBOOK, SLOPE = "lessons/4_descendants.ipynb", "ΔD/ΔM slope"
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
  lessons (the runs at a later commit above).
- Seed 15002, `lessons/3_lora_in_attention.ipynb`: section 19 asserted that every placement loses
  at most 0.5 points of test accuracy. There "MLP only" lost 0.51 points (and full fine-tuning,
  not asserted, 0.61), although it cut the weak digit's errors by 46%. On the 24 held-out seeds
  before it the largest loss had been 0.43. The bound is not a property of the method, so the
  lesson now prints each placement's accuracy change instead of asserting a bound, and keeps
  asserting that every placement cuts some weak-digit errors. The changed lesson then ran on
  fresh held-out seeds (the runs at a later commit above)."""


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
    """For each notebook, seed and role, the rows of its last run only (the record is in run
    order): a tuning run of seed 0 does not hide its committed run."""
    last = {(row["notebook"], row["seed"], row["role"]): row["commit"] for row in rows}
    return [row for row in rows if last[row["notebook"], row["seed"], row["role"]] == row["commit"]]


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
    measured = [
        row
        for row in held_out(rows)
        if row["claim"] != EVERY_ASSERT
        and not row["claim"].startswith((PLACEMENT, SLOPE, TRANSFORMER_ACCURACY))
    ]
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


def held_out(rows):
    return [row for row in latest(rows) if row["role"] == "held-out"]


def placement_study(rows):
    """{placement: {measure: {seed: value}}} over the held-out seeds, in the notebook's order."""
    study = {}
    for row in held_out(rows):
        if row["notebook"] == PLACEMENT_NOTEBOOK and row["claim"].startswith(PLACEMENT):
            placement, measure = row["claim"].removeprefix(f"{PLACEMENT} ").split(": ")
            study.setdefault(placement, {}).setdefault(measure, {})[row["seed"]] = row["value"]
    return study


def mean_and_spread(by_seed, shown="{:.0f}"):
    values = list(by_seed.values())
    low, high = shown.format(min(values)), shown.format(max(values))
    mean, spread = shown.format(statistics.mean(values)), statistics.stdev(values)
    return f"{mean} ± {shown.replace('+', '').format(spread)} ({low} to {high})"


def transformer_accuracies(rows):
    return [row["value"] for row in held_out(rows) if row["claim"] == TRANSFORMER_ACCURACY]


def placement_table(rows, study):
    if not study:
        return "No held-out runs of the placement study yet."
    seeds = {len(measures[CUT]) for measures in study.values()}
    best, accuracies = most_cut_counts(study), transformer_accuracies(rows)
    lines = [
        f"The pretrained transformer's test accuracy: {min(accuracies):.2%} to "
        f"{max(accuracies):.2%}, median {statistics.median(accuracies):.2%} "
        f"({len(accuracies)} held-out seeds).",
        "",
        f"Held-out seeds: {', '.join(map(str, sorted(seeds)))} per placement. Mean ± standard "
        "deviation (min to max).",
        "",
        "| placement | weak-digit test errors after | errors cut | accuracy change, points "
        "| seeds where it cut the most | seeds meeting part one's bar |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for placement, measures in study.items():
        lines.append(
            f"| {placement} | {mean_and_spread(measures[WEAK_ERRORS], '{:.1f}')} "
            f"| {mean_and_spread(measures[CUT], '{:.0%}')} "
            f"| {mean_and_spread(measures[CHANGE], '{:+.2f}')} | {best.get(placement, '—')} "
            f"| {meets_part_one_bar(measures)} |"
        )
    return "\n".join(lines)


def meets_part_one_bar(measures):
    cuts, changes = measures[CUT], measures[CHANGE]
    seeds = [seed for seed in cuts if seed in changes]
    met = sum(
        cuts[seed] >= ASSERTED[CORE_CUT] and changes[seed] >= ASSERTED[CORE_CHANGE]
        for seed in seeds
    )
    return f"{met} of {len(seeds)}"


def most_cut_counts(study):
    """Per placement, the seeds on which it left the fewest weak-digit errors (ties count); the
    reference, full fine-tuning, does not compete."""
    errors = {
        placement: measures[WEAK_ERRORS]
        for placement, measures in study.items()
        if placement != REFERENCE
    }
    seeds = set.intersection(*(set(by_seed) for by_seed in errors.values()))
    fewest = {seed: min(by_seed[seed] for by_seed in errors.values()) for seed in seeds}
    return {
        placement: sum(by_seed[seed] == fewest[seed] for seed in seeds)
        for placement, by_seed in errors.items()
    }


SINGLE_MATRICES = ["q", "k", "v", "o"]
FINDINGS = {  # a published finding: (placement, the placement it should match or beat)
    "LoRA Table 5: {q, v} at half the rank vs the best single matrix": ("q, v", None),
    "QLoRA §4: every linear layer vs attention only": ("everything", "q, k, v, o"),
    "LoRA Without Regret: MLP only vs attention only": ("MLP only", "q, k, v, o"),
}


def literature_table(study):
    """Per finding: over the seeds, the weak-digit errors of the placement minus the other's."""
    if not study:
        return ""
    errors = {placement: measures[WEAK_ERRORS] for placement, measures in study.items()}
    lines = [
        "| finding | placement | compared with | errors minus the other's: mean (min to max) "
        "| fewer / as many / more |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for finding, (placement, other) in FINDINGS.items():
        seeds = sorted(errors[placement])
        others = {
            seed: min(errors[single][seed] for single in SINGLE_MATRICES)
            if other is None
            else errors[other][seed]
            for seed in seeds
        }
        differences = [errors[placement][seed] - others[seed] for seed in seeds]
        shown = (
            f"{statistics.mean(differences):+.1f} ({min(differences):+d} to {max(differences):+d})"
        )
        signs = [
            sum(d < 0 for d in differences),
            differences.count(0),
            sum(d > 0 for d in differences),
        ]
        lines.append(
            f"| {finding} | {placement} | {other or 'best of q, k, v, o on that seed'} | {shown} "
            f"| {' / '.join(map(str, signs))} |"
        )
    return "\n".join(lines)


def placement_figure(study):
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained", sharey=True)
    labels = list(study)
    for ax, measure, xlabel in (
        (axes[0], CUT, "weak digit's test errors cut"),
        (axes[1], CHANGE, "test accuracy change (points)"),
    ):
        values = [list(study[label][measure].values()) for label in labels]
        ax.boxplot(values, orientation="horizontal", tick_labels=labels)
        bar = ASSERTED[{CUT: CORE_CUT, CHANGE: CORE_CHANGE}[measure]]
        ax.axvline(bar, color="gray", linestyle="--", label="part one's bar (met at or right)")
        ax.set(xlabel=xlabel)
    axes[0].set(ylabel="adapted layers (one budget)")
    axes[0].xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes[0].invert_yaxis()
    seeds = len(next(iter(study.values()))[CUT])
    fig.suptitle(
        f"Lesson 3's placement study on {seeds} held-out seeds: where the adapter goes\n"
        f"(and {REFERENCE} of every weight, for reference)"
    )
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center")
    fig.savefig(PLACEMENT_FIGURE, dpi=100)
    plt.close(fig)


def slopes_table(rows):
    slopes = [
        row
        for row in held_out(rows)
        if row["notebook"] == SLOPE_NOTEBOOK and row["claim"].startswith(SLOPE)
    ]
    if not slopes:
        return "No held-out runs of the DoRA analysis yet."
    lines = [
        "| method | seeds | slope: mean (min to max) | negative on |",
        "| --- | ---: | ---: | ---: |",
    ]
    for (claim,), group in by(slopes, "claim").items():
        values = [row["value"] for row in group]
        mean = f"{statistics.mean(values):+.3g} ({min(values):+.3g} to {max(values):+.3g})"
        negative = sum(value < 0 for value in values)
        lines.append(
            f"| {claim.removeprefix(SLOPE + ', ')} | {len(values)} | {mean} "
            f"| {negative} of {len(values)} |"
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
    study = placement_study(rows)
    if study:
        placement_figure(study)
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

## Lesson 3: where the adapter goes, on held-out seeds

Section 19 of `lessons/3_lora_in_attention.ipynb` fine-tunes a copy of the pretrained vision
transformer for each placement of the adapter, at one budget of trainable parameters, on the weak
digit of each seed's transformer (chosen on the validation split). Per placement, over the held-out
seeds: the weak digit's test errors after fine-tuning, the share of them cut, the change of test
accuracy, and on how many seeds the placement left the fewest weak-digit errors (ties count for
each). The transformer's pretraining recipe was chosen on tuning seeds 0–9, its fine-tuning
recipe on tuning seeds 0–3 with a first version of the transformer (ReLU, Adam). The lesson
asserts that the transformer reaches 96% and that every placement cuts some weak-digit errors; it
asserted until seed 15002 that each also loses at most 0.5 points (see below). The last row is the
reference, {REFERENCE}: every weight of the transformer trains on the same batches, at a tenth of
the adapters' learning rate, with no adapter and no budget; the lesson asserts that it too cuts
some weak-digit errors while the other digits' errors rise, and it does not compete for "cut the
most". Part one's stricter bar (cut at least half, lose at most 0.1 points) is printed, not
asserted: the last column counts the seeds that met it.

{placement_table(rows, study)}

![The placement study across seeds](validation/placements.png)

Three published findings, tested on the same held-out seeds by the weak digit's test errors after
fine-tuning (negative: the placement left fewer errors than the one it is compared with):

{literature_table(study)}

## Lesson 4: DoRA's magnitude and direction, on held-out seeds

`lessons/4_descendants.ipynb` tracks, during full fine-tuning, LoRA and DoRA, the mean change of
one weight matrix's row norms (ΔM) and directions (ΔD, 1 − cosine) and fits the slope of ΔD
against ΔM (DoRA paper, arXiv 2402.09353, §3.2, Fig. 2: negative for full fine-tuning and DoRA,
positive for LoRA).

{slopes_table(rows)}

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
