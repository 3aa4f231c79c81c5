"""The playground, launched for real (`python playground.py`) and driven through gradio_client: a
test image gets the notebook's predictions, strength 0 is the base model exactly, training lowers
the digit's validation errors, and bad input gets a clear message. The expected values come from
the notebook's own code, run here apart from the app."""

import copy
import re
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import PIL.Image
import pytest
import torch
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

import playground

REPO = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 600  # without checkpoints the playground trains first: slow on a busy CPU
TRAINING_STEPS = 20  # enough for a rank-1 adapter to cut its digit's validation errors


@contextmanager
def running_playground(*arguments):
    """`python playground.py *arguments` in a subprocess; yields the address it prints."""
    command = [sys.executable, "playground.py", *arguments]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output, started = [], threading.Event()

    def read_output():  # all of it, so that a full pipe never blocks the app
        for line in process.stdout:
            output.append(line)
            if "running on http" in line:
                started.set()
        started.set()  # the app has exited

    threading.Thread(target=read_output, daemon=True).start()
    try:
        if not started.wait(STARTUP_TIMEOUT_S) or process.poll() is not None:
            pytest.fail(f"{' '.join(command)} did not start:\n{''.join(output)[-3000:]}")
        yield re.search(r"running on (\S+)", "".join(output)).group(1)
    finally:
        process.terminate()  # as Ctrl+C: the app removes its temporary folder
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def url():
    with running_playground() as address:
        yield address


def local_client(url):
    """A gradio_client Client for the app at `url`, a plain http:// address on this computer.
    No certificate is ever checked over plain http, so ssl_verify=False changes nothing but one
    thing: httpx no longer loads the certificate authorities' list, which it does for each of a
    request's three HTTP calls (upload, join the queue, fetch the picture), about 20 ms each."""
    assert url.startswith("http://127.0.0.1:"), url
    return Client(url, verbose=False, ssl_verify=False)


@pytest.fixture(scope="module")
def client(url):
    return local_client(url)


@pytest.fixture(scope="module")
def lesson():
    """The notebook's code and models, loaded here, apart from the app."""
    return playground.load_lesson()


@pytest.fixture(scope="module")
def changed_images(lesson):
    """Three test images whose prediction the weak-digit adapter changes, and the notebook's
    predictions of all test images: the pretrained model's, and with section 10's load_adapter."""
    adapted = copy.deepcopy(lesson.pretrained)
    lesson.load_adapter(adapted, lesson.checkpoint_dir / "adapter.pt")
    before = lesson.predict(lesson.pretrained, lesson.test_images)
    after = lesson.predict(adapted, lesson.test_images)
    return (before != after).nonzero().flatten()[:3].tolist(), before, after


def choice(client, ending):
    """The adapter picker's choice that ends with `ending`."""
    endpoint = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    choices = endpoint["/classify_test_image"]["parameters"][1]["type"]["enum"]
    (chosen,) = [label for label in choices if label.endswith(ending)]
    return chosen


def classify_test_image(client, index, chosen, strength):
    return client.predict(index, chosen, strength, api_name="/classify_test_image")


def classify_drawing(client, path, chosen, strength):
    drawing = {"background": None, "layers": [], "composite": handle_file(path), "id": None}
    return client.predict(drawing, chosen, strength, api_name="/classify_drawing")


def drawing_of(pixels):
    """784 normalized pixels as a student would draw them: black on white, canvas-sized."""
    return playground.picture(pixels, zoom=playground.CANVAS_SIDE // playground.MNIST_SIDE)


def saved_drawing(pixels, path):
    PIL.Image.fromarray(drawing_of(pixels)).save(path)
    return path


def test_a_test_image_gets_the_notebooks_predictions(client, changed_images):
    indices, before, after = changed_images
    for index in indices:
        _, base, adapted, message = classify_test_image(
            client, index, choice(client, "adapter)"), 1
        )
        assert (int(base["label"]), int(adapted["label"])) == (before[index], after[index])
        assert message.startswith(f"Test image {index}")


def test_strength_zero_is_the_base_model_exactly(client, lesson, changed_images, tmp_path):
    index = changed_images[0][0]
    drawing = saved_drawing(lesson.test_images[index], tmp_path / "drawing.png")
    for chosen in (choice(client, "adapter)"), choice(client, "stacked")):
        _, base, adapted, _ = classify_test_image(client, index, chosen, 1)
        assert adapted["confidences"] != base["confidences"]  # so that the next assert can fail
        _, base, adapted, _ = classify_test_image(client, index, chosen, 0)
        assert adapted["confidences"] == base["confidences"]
        _, base, adapted, _ = classify_drawing(client, drawing, chosen, 0)
        assert adapted["confidences"] == base["confidences"]


def test_a_drawn_test_image_comes_back_as_itself(lesson):
    """Test images drawn as large as the canvas, made 28x28 again the way MNIST was made: nearly
    the same pixels, and the same predictions."""
    images = lesson.test_images[:50].cpu()
    redrawn = torch.stack([playground.mnist_pixels(drawing_of(image)) for image in images])
    assert (redrawn - images).abs().mean() < 0.05  # two different test images: about 0.5
    predictions = lesson.predict(lesson.pretrained, images.to(lesson.DEVICE))
    assert torch.equal(lesson.predict(lesson.pretrained, redrawn.to(lesson.DEVICE)), predictions)


def test_training_lowers_the_digits_validation_errors_and_refuses_a_second(client, lesson):
    digit = playground.second_weakest_digit(lesson)
    job = client.submit(digit, 1, TRAINING_STEPS, api_name="/train")
    while not job.outputs() and not job.done():  # the first progress report: it is training
        time.sleep(0.05)
    with pytest.raises(AppError, match=r"Another adapter is training \(digit"):
        client.predict(digit, 1, TRAINING_STEPS, api_name="/train")
    curve, _, sizes, adapter_file, picker = job.result()
    model = lesson.load_adapter(copy.deepcopy(lesson.pretrained), adapter_file)
    errors = lesson.evaluate(model, lesson.val_images, lesson.val_labels)[1]
    assert errors[digit] < lesson.validation_errors[digit]
    assert [TRAINING_STEPS, int(errors[digit]), f"digit {digit}"] in curve["value"]["data"]
    assert picker["value"] == f"digit {digit}, rank 1, {TRAINING_STEPS} steps (trained here)"
    parameters = lesson.count_parameters(model, trainable_only=True)
    assert f"{parameters:,} (" in sizes and f"{Path(adapter_file).stat().st_size:,} bytes" in sizes


@pytest.mark.parametrize(
    ("rank", "steps", "message"),
    [
        (0, TRAINING_STEPS, r"'linear1' \(a 1000x784 weight\) must be an integer in \[1, 784\]"),
        (11, TRAINING_STEPS, r"'linear3' \(a 10x2000 weight\) must be an integer in \[1, 10\]"),
        (1.5, TRAINING_STEPS, r"must be an integer in \[1, 784\], got 1.5"),
        (1, 0, "Steps must be a whole number from 1 to 320"),
        (1, playground.MAX_STEPS + 1, "Steps must be a whole number from 1 to 320"),
    ],
)
def test_a_bad_rank_or_number_of_steps_gets_a_message(client, rank, steps, message):
    with pytest.raises(AppError, match=message):
        client.predict(0, rank, steps, api_name="/train")


def test_an_empty_canvas_gets_a_message(client, tmp_path):
    blank = tmp_path / "blank.png"
    PIL.Image.new("L", (playground.CANVAS_SIDE,) * 2, "white").save(blank)
    picture, base, adapted, message = classify_drawing(client, blank, choice(client, "stacked"), 1)
    assert (picture, base, adapted, message) == (None, {}, {}, playground.EMPTY_CANVAS)


@pytest.mark.parametrize("index", [-1, 10_000, 2.5])
def test_a_test_image_number_out_of_range_gets_a_message(client, index):
    message = classify_test_image(client, index, choice(client, "stacked"), 1)[3]
    assert message == f"Test images are numbered 0 to 9999; you typed {index:g}."


def test_an_adapter_from_another_model_gets_a_message(client, lesson, tmp_path):
    other = lesson.add_lora(lesson.OversizedMLP(hidden_sizes=(500, 2000)), 1, 1.0)
    lesson.save_adapter(other, tmp_path / "other.pt")
    with pytest.raises(AppError, match=r"other.pt is not an adapter for this model: .* 500x784"):
        client.predict(handle_file(tmp_path / "other.pt"), api_name="/load_adapter")


def test_a_file_that_is_no_adapter_gets_a_message(client, lesson, tmp_path):
    torch.save(lesson.OversizedMLP(hidden_sizes=(5, 5)).state_dict(), tmp_path / "model.pt")
    (tmp_path / "notes.pt").write_text("not a PyTorch file")
    with pytest.raises(AppError, match="model.pt is not an adapter: section 10's save_adapter"):
        client.predict(handle_file(tmp_path / "model.pt"), api_name="/load_adapter")
    with pytest.raises(AppError, match="notes.pt cannot be read as an adapter"):
        client.predict(handle_file(tmp_path / "notes.pt"), api_name="/load_adapter")


def test_an_adapter_file_joins_the_picker(client, lesson):
    picker, message = client.predict(
        handle_file(lesson.checkpoint_dir / "adapter.pt"), api_name="/load_adapter"
    )
    assert picker["value"] == "adapter.pt (uploaded)"
    assert [picker["value"]] * 2 in picker["choices"]


def test_it_listens_on_this_computer_only(url):
    assert url.startswith("http://127.0.0.1:")


def test_a_checkpoint_from_another_model_stops_the_start_with_a_message(lesson, tmp_path):
    """playground.main exits with a message (SystemExit prints it, with no traceback)."""
    other = lesson.OversizedMLP(hidden_sizes=(500, 2000))
    torch.save(other.state_dict(), tmp_path / "pretrained.pt")
    with pytest.raises(SystemExit) as stop:
        playground.main(["--checkpoints", str(tmp_path)])
    message = str(stop.value)
    assert message.startswith(f"playground.py: {tmp_path / 'pretrained.pt'} is not a checkpoint ")
    assert (
        "of lora.ipynb's OversizedMLP" in message and "size mismatch for linear1.weight" in message
    )
