"""The playground in a real browser: Playwright drives Debian's Chromium through the page as a
student would. Draw a stroke and see a prediction; click a test image the adapter fixed and see
the two models disagree (UPDATE_SCREENSHOT=1 saves the page then, as docs/playground.png); move the
strength slider to 0 and see them agree; train an adapter and see it join the picker, a second press
refused.

Needs Chromium at /usr/bin/chromium (`apt-get install -y chromium`); skipped without it.
"""

import os
import re
from pathlib import Path

import pytest
from test_playground import running_playground

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "playground.png"
TIMEOUT_MS = 60_000  # for anything the page does; a busy 2-core CPU can be slow
TRAINING_STEPS = 20  # a few seconds: time enough to press Train a second time

if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium`",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def page():
    with running_playground() as url, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        sync_api.expect.set_options(timeout=TIMEOUT_MS)
        page.goto(url)
        yield page
        browser.close()


def top_label(page, model):
    """The digit a model's probabilities put first, as the page shows it."""
    return page.locator(f"#{model} h2").inner_text()


def draw(page, points):
    """One brush stroke through `points`, given as fractions of the canvas's width and height."""
    page.get_by_role("button", name="Brush").click()
    box = page.locator("#canvas canvas").first.bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for point in at[1:]:
        page.mouse.move(*point, steps=10)
    page.mouse.up()


def test_a_drawn_stroke_gets_a_prediction(page):
    sync_api.expect(page.locator("#message")).to_contain_text("The canvas is empty")
    draw(page, [(0.4, 0.25), (0.6, 0.25), (0.45, 0.75)])  # a 7, near the middle
    sync_api.expect(page.locator("#message")).to_contain_text("Your drawing")
    sync_api.expect(page.locator("#base h2")).to_have_text(re.compile(r"^\d$"))
    sync_api.expect(page.locator("#adapted h2")).to_have_text(re.compile(r"^\d$"))


def test_the_strength_slider_dials_the_adapter(page):
    page.get_by_role("button", name="Clear canvas").click()
    sync_api.expect(page.locator("#message")).to_contain_text("The canvas is empty")
    page.get_by_text(re.compile(r"^#\d+: \d → \d$")).first.click()  # fixed by the adapter
    sync_api.expect(page.locator("#message")).to_contain_text("Test image")
    assert top_label(page, "adapted") != top_label(page, "base")
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        page.screenshot(path=SCREENSHOT)
    page.locator("#strength input[type=range]").fill("0")
    sync_api.expect(page.locator("#adapted h2")).to_have_text(top_label(page, "base"))


def test_training_adds_an_adapter_and_refuses_a_second_press(page):
    page.get_by_role("tab", name="Train").click()
    page.get_by_label("Steps").fill(str(TRAINING_STEPS))
    train = page.get_by_role("button", name="Train", exact=True)
    train.click()
    sync_api.expect(page.locator("#training-status")).to_contain_text("Training: digit")
    train.click()
    sync_api.expect(page.get_by_text("Another adapter is training")).to_be_visible()
    sync_api.expect(page.locator("#training-status")).to_contain_text("Trained in")
    page.get_by_role("tab", name="Explore").click()
    sync_api.expect(page.get_by_label(re.compile(f"{TRAINING_STEPS} steps"))).to_be_checked()
