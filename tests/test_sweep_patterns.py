"""The seed sweep reads the numbers the notebooks print (tests/seed_sweep.py): its patterns must
find every one of them in the committed outputs, or VALIDATION.md would silently lose a claim."""

from seed_sweep import REPO, claims, printed
from validation_report import (
    CHANGE,
    CORE_CHANGE,
    CORE_CUT,
    CUT,
    PLACEMENT,
    PLACEMENT_NOTEBOOK,
    REFERENCE,
    SLOPE,
    SLOPE_NOTEBOOK,
    TRANSFORMER_ACCURACY,
    WEAK_ERRORS,
)

PLACEMENTS = ["q", "k", "v", "o", "q, v", "q, k, v, o", "MLP only", "everything", REFERENCE]
DORA_METHODS = ["full fine-tuning", "LoRA", "DoRA"]


def recorded(notebook):
    return {
        row["claim"]: row["value"] for row in claims(notebook, 0, "ok", printed(REPO / notebook))
    }


def test_the_sweep_reads_part_ones_checked_fix():
    found = recorded("lora.ipynb")
    assert found[CORE_CUT] >= 0.5 and found[CORE_CHANGE] >= -0.1  # section 7's asserted bars


def test_the_sweep_reads_every_row_of_the_placement_study():
    found = recorded(PLACEMENT_NOTEBOOK)
    expected = {
        f"{PLACEMENT} {placement}: {measure}"
        for placement in PLACEMENTS
        for measure in (WEAK_ERRORS, CUT, CHANGE)
    }
    assert expected <= found.keys(), sorted(expected - found.keys())
    assert found[TRANSFORMER_ACCURACY] >= 0.96


def test_the_sweep_reads_the_dora_slopes():
    found = recorded(SLOPE_NOTEBOOK)
    assert {f"{SLOPE}, {method}" for method in DORA_METHODS} <= found.keys()
