"""A LoRA playground in the browser: draw a digit, train an adapter, switch and dial it, live.

    python playground.py                  # a page on http://127.0.0.1:7860, for this computer only
    python playground.py --host 0.0.0.0   # reachable from the room's network (docs/playground.md)

The models are lora.ipynb's: its pretrained MLP and its weak-digit adapter, loaded from the
notebook's checkpoint folder. When they are missing, the playground trains them with the notebook's
own cells (seconds) and saves them there. The model, the LoRA code and the training recipe all come
from the notebook's cells, run by tutorial_cells.run_tutorial, never from a copy.
"""

import argparse
import copy
import math
import os
import pickle
import signal
import sys
import tempfile
import textwrap
import threading
import time
import traceback
import urllib.parse
from functools import lru_cache, partial
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pandas as pd
import PIL.Image
import torch
from torch.nn.utils import parametrize
from tqdm import tqdm

from mnist_data import PIXEL_MEAN, PIXEL_STD, MNISTDataError
from tutorial_cells import REPO, run_tutorial

# The notebook code the playground runs, in three steps: each list names what the cells to run
# define (tutorial_cells.run_tutorial(NOTEBOOK, ..., only_defining=...)). All of it is part one.
NOTEBOOK = "lora.ipynb"
NOTEBOOK_CODE = [
    "plt",  # the imports cell (its one assignment is to plt.rcParams)
    "SEED",  # section 0: the parameters cell
    "train_images",  # section 1: the data, split into training and validation
    "OversizedMLP",  # section 2: the model
    "training_step",  # section 3: the training loop and its evaluation
    "evaluate",
    "train",
    "LoRA",  # section 4: the LoRA parametrization and how it is added to a model
    "check_lora_target",
    "add_lora",
    "lora_modules",
    "lora_copy_of_pretrained",
    "save_adapter",  # section 10: save_adapter and load_adapter
]
NOTEBOOK_PRETRAINING = ["pretrain_losses"]  # section 3's pretraining: only without a checkpoint
NOTEBOOK_AFTER_PRETRAINING = ["weak_digit", "mixed_batches"]  # sections 3 and 7
NOTEBOOK_CHECKPOINTS = "{CHECKPOINT_DIR}/seed_{SEED}"  # where section 10 saves pretrained.pt

MAX_STEPS = 320  # a bound on one training, so that a class pressing "train" cannot tie up the CPU
CURVE_CHECKS = 4  # validation checks on the live curve; each one evaluates 10,000 images
GALLERY_SIZE = 8  # test images per gallery, as in section 7
GALLERY_HEIGHT = 170  # pixels: one row
CANVAS_SIDE = 280  # pixels: ten times MNIST's 28
COLUMN_WIDTH = 180  # pixels: the least width of the other columns beside the canvas
BRUSH_SIZE = 18  # pixels: strokes about as thick, for their height, as MNIST's
INK_THRESHOLD = 0.1  # a canvas pixel darker than this belongs to the drawing
MNIST_BOX, MNIST_SIDE = 20, 28  # MNIST scaled each digit to fit 20x20, then centred it in 28x28
FILE_HEIGHT = 120  # pixels: the file boxes of the Train tab
PICTURE_ZOOM = 5  # the 28x28 input is shown at 140x140 pixels
NO_ADAPTER = "none (the base model)"
DEFAULT_HOST = "127.0.0.1"  # this computer only


class CheckpointError(ValueError):
    """A checkpoint or adapter file that does not belong to lora.ipynb's model."""


# --- The notebook's models --------------------------------------------------------------------


def load_lesson(checkpoints=None):
    """Run the notebook's cells and give the pretrained model the weights in the folder
    `checkpoints` (default: the notebook's), pretraining and saving them first if there are none.
    The notebook's names become attributes: lesson.train, lesson.pretrained, ..."""
    namespace = {}
    run_tutorial(NOTEBOOK, namespace, only_defining=NOTEBOOK_CODE)
    namespace["checkpoint_dir"] = Path(checkpoints or NOTEBOOK_CHECKPOINTS.format(**namespace))
    weights = namespace["checkpoint_dir"] / "pretrained.pt"
    if weights.exists():
        load_pretrained(namespace["pretrained"], weights)
    else:
        print(f"No {weights}: pretraining with {NOTEBOOK}, section 3", file=sys.stderr)
        namespace["tqdm"] = partial(tqdm, file=sys.__stderr__)  # run_tutorial is quiet
        run_tutorial(NOTEBOOK, namespace, only_defining=NOTEBOOK_PRETRAINING)
        weights.parent.mkdir(parents=True, exist_ok=True)
        namespace["save_atomically"](namespace["pretrained"].state_dict(), weights)
    run_tutorial(NOTEBOOK, namespace, only_defining=NOTEBOOK_AFTER_PRETRAINING)
    return SimpleNamespace(**namespace)


def load_pretrained(model, path):
    try:
        model.load_state_dict(torch.load(path, weights_only=True, map_location="cpu"))
    except (RuntimeError, pickle.UnpicklingError, EOFError) as error:
        raise CheckpointError(
            f"{path} is not a checkpoint of {NOTEBOOK}'s OversizedMLP ({one_line(error)}). Delete "
            "it to pretrain afresh, or run the notebook to write it again."
        ) from error


def one_line(error):
    """An exception's message on one line, shortened to 300 characters."""
    return textwrap.shorten(" ".join(str(error).split()), 300)


def with_adapters(lesson, paths, strength):
    """A copy of the base model whose weights are W_0 + strength * (alpha / r) B A, summed over
    the adapter files in `paths`. Each is loaded by section 10's load_adapter, dialled through its
    LoRA parametrization's scale and merged into the weights (section 9): the next adds to them."""
    model = copy.deepcopy(lesson.pretrained)
    for path in paths:
        load_adapter_file(lesson, model, Path(path))
        for name, lora in lesson.lora_modules(model).items():
            lora.scale *= strength
            layer = model.get_submodule(name)
            parametrize.remove_parametrizations(layer, "weight", leave_parametrized=True)
    return model.eval()


def load_adapter_file(lesson, model, path):
    try:
        lesson.load_adapter(model, path)
    except ValueError as error:  # the notebook's check: the adapter fits other layer sizes
        raise CheckpointError(f"{path.name} is not an adapter for this model: {error}") from error
    except (KeyError, IndexError, TypeError, AttributeError) as error:
        raise CheckpointError(
            f"{path.name} is not an adapter: section 10's save_adapter writes a dict with 'alpha' "
            "and 'tensors'."
        ) from error
    except (RuntimeError, pickle.UnpicklingError, EOFError) as error:
        message = f"{path.name} cannot be read as an adapter ({one_line(error)})."
        raise CheckpointError(message) from error


def probabilities(model, pixels):
    """The model's probability for each of the ten digits, for one image (784 normalized pixels)."""
    with torch.no_grad():
        logits = model(pixels.to(next(model.parameters()).device)[None])
    return {str(digit): p for digit, p in enumerate(torch.softmax(logits, dim=1)[0].tolist())}


# --- Drawings and pictures --------------------------------------------------------------------


def mnist_pixels(drawing):
    """A drawing (black on white, any size) made the way MNIST made its digits: the bounding box
    scaled to fit 20x20 pixels (aspect ratio kept, anti-aliased), placed in a 28x28 field with its
    centre of mass in the middle, then normalized like the training images. None if it is blank."""
    ink = 1 - drawing.astype(np.float32) / 255
    rows, columns = np.nonzero(ink > INK_THRESHOLD)
    if rows.size == 0:
        return None
    box = ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
    height, width = (max(1, round(side * MNIST_BOX / max(box.shape))) for side in box.shape)
    digit = PIL.Image.fromarray(box).resize((width, height), PIL.Image.Resampling.LANCZOS)
    digit = np.clip(np.asarray(digit), 0, 1)
    field = np.zeros((MNIST_SIDE, MNIST_SIDE), np.float32)
    top, left = (
        int(np.clip(round(MNIST_SIDE / 2 - centre), 0, MNIST_SIDE - side))
        for centre, side in zip(centre_of_mass(digit), digit.shape)
    )
    field[top : top + height, left : left + width] = digit
    return torch.from_numpy((field.flatten() - PIXEL_MEAN) / PIXEL_STD)


def centre_of_mass(image):
    """(row, column) of an image's centre of mass."""
    row_mass, column_mass = image.sum(axis=1), image.sum(axis=0)
    return [mass @ np.arange(len(mass)) / mass.sum() for mass in (row_mass, column_mass)]


def picture(pixels, zoom=PICTURE_ZOOM):
    """784 normalized pixels as a picture: dark ink on white, `zoom` times as large, unsmoothed."""
    ink = (pixels.cpu().view(MNIST_SIDE, MNIST_SIDE) * PIXEL_STD + PIXEL_MEAN).clamp(0, 1)
    return np.uint8(255 * (1 - ink.numpy())).repeat(zoom, axis=0).repeat(zoom, axis=1)


# --- Training, one adapter at a time ----------------------------------------------------------


def train_adapter(lesson, model, digit, steps, description=None, on_step=None):
    """Section 7's recipe: `steps` mixed batches of `digit` and replayed other digits, with the
    one-cycle schedule. on_step(k) is called when k steps are done, from 0 to `steps`."""
    batches = lesson.mixed_batches(digit, steps, lesson.SEED)
    if on_step is not None:
        batches = WatchedBatches(batches, on_step)
    lesson.train(model, batches, lesson.FINETUNE_LR, description, one_cycle=True)


class WatchedBatches:
    """Batches that tell on_step(k) how many steps are done each time `train` asks for the next."""

    def __init__(self, batches, on_step):
        self.batches, self.on_step = batches, on_step

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        for done, batch in enumerate(self.batches):
            self.on_step(done)
            yield batch
        self.on_step(len(self.batches))


class TrainingRun:
    """A new adapter trained in a background thread, its progress and validation errors readable
    while it runs; saved to `path` at the end."""

    def __init__(self, lesson, digit, rank, steps, path):
        self.lesson, self.digit, self.rank, self.steps, self.path = lesson, digit, rank, steps, path
        self.model = lesson.lora_copy_of_pretrained(rank)  # the notebook refuses a bad rank here
        self.done, self.error, self.seconds = 0, None, None
        self.checks = [(0, lesson.validation_errors)]  # (step, errors per digit); 0: the base
        self.check_every = math.ceil(steps / CURVE_CHECKS)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        start = time.perf_counter()
        try:
            train_adapter(self.lesson, self.model, self.digit, self.steps, on_step=self.record)
            self.lesson.save_adapter(self.model, self.path)
        except Exception as error:  # shown on the page, and in the terminal for whoever runs it
            self.error = error
            traceback.print_exc()
        self.seconds = time.perf_counter() - start

    def record(self, done):
        self.done = done
        if done and (done % self.check_every == 0 or done == self.steps):
            _, errors = self.lesson.evaluate(
                self.model, self.lesson.val_images, self.lesson.val_labels
            )
            self.checks.append((done, errors))

    def describe(self):
        return f"digit {self.digit}, rank {self.rank}, step {self.done} of {self.steps}"

    def curve(self):
        """The chosen digit's validation errors and the other nine's, at every check so far."""
        rows = []
        for step, errors in list(self.checks):
            digit_errors = int(errors[self.digit])
            rows.append((step, digit_errors, f"digit {self.digit}"))
            rows.append((step, int(errors.sum()) - digit_errors, "the other nine digits"))
        return pd.DataFrame(rows, columns=["step", "validation errors", "digits"])


# --- What the page serves ---------------------------------------------------------------------


class Playground:
    """The notebook's models behind the page: the adapters to pick from, each served merged at the
    chosen strength (cached), and one training at a time. It starts with three choices besides
    the base: the weak-digit adapter the notebook saved, one for the second-weakest digit, and the
    two stacked; those missing from the checkpoint folder are trained and saved there first."""

    def __init__(self, lesson, trained_folder):
        self.lesson, self.trained_folder = lesson, trained_folder
        checkpoints = lesson.checkpoint_dir
        self.model = lru_cache(maxsize=16)(partial(with_adapters, lesson))
        self.training, self.training_lock = None, threading.Lock()
        weak, second = lesson.weak_digit, second_weakest_digit(lesson)
        weak_file = self.ready_adapter(checkpoints / "adapter.pt", weak)
        second_name = adapter_name(second, lesson.LORA_RANK, lesson.FINETUNE_STEPS)
        second_file = self.ready_adapter(checkpoints / second_name, second)
        self.weak_choice = f"digit {weak}: the weak digit ({NOTEBOOK}'s adapter)"
        self.choices = {  # label -> adapter files, stacked in this order
            NO_ADAPTER: (),
            self.weak_choice: (weak_file,),
            f"digit {second}: the second-weakest digit": (second_file,),
            f"digits {weak} + {second}, stacked": (weak_file, second_file),
        }
        self.second_digit = second
        self.galleries = section_7_galleries(lesson, self.model((weak_file,), 1.0))

    def ready_adapter(self, path, digit):
        """The adapter file `path` for `digit`, trained and saved first if it does not exist."""
        if not path.exists():
            print(f"No {path}: training it with {NOTEBOOK}, section 7", file=sys.stderr)
            model = self.lesson.lora_copy_of_pretrained(self.lesson.LORA_RANK)
            steps = self.lesson.FINETUNE_STEPS
            train_adapter(self.lesson, model, digit, steps, f"adapter for digit {digit}")
            self.lesson.save_adapter(model, path)
        self.model((path,), 1.0)  # fails here, with a clear message, if it fits another model
        return path

    def classify(self, pixels, choice, strength):
        """The base model's and the chosen adapters' probabilities for one image."""
        files = self.choices[choice]
        adapted = self.model(files, float(strength)) if files else self.lesson.pretrained
        return probabilities(self.lesson.pretrained, pixels), probabilities(adapted, pixels)

    def start_training(self, digit, rank, steps):
        """A new TrainingRun, unless one is running: one at a time."""
        path = self.trained_folder / adapter_name(digit, rank, steps)
        with self.training_lock:
            if self.training is not None and self.training.thread.is_alive():
                raise refusal(
                    f"Another adapter is training ({self.training.describe()}). One training "
                    "runs at a time: press Train again when it has finished."
                )
            try:
                self.training = TrainingRun(self.lesson, digit, rank, steps, path)
            except ValueError as error:  # the notebook's message for a bad rank
                raise refusal(f"{error}. LoRA adapts every layer here.") from error
        return self.training

    def add_trained(self, run):
        label = f"digit {run.digit}, rank {run.rank}, {run.steps} steps (trained here)"
        self.choices[label] = (run.path,)
        return label

    def add_uploaded(self, path):
        try:
            self.model((path,), 1.0)
        except CheckpointError as error:
            raise refusal(str(error)) from error
        label = f"{Path(path).name} (uploaded)"
        self.choices[label] = (path,)
        return label


def adapter_name(digit, rank, steps):
    return f"adapter-digit-{digit}-rank-{rank}-steps-{steps}.pt"


def second_weakest_digit(lesson):
    return int(lesson.validation_error_rate.argsort(descending=True)[1])


def section_7_galleries(lesson, adapted):
    """Section 7's gallery: the first test images of the weak digit that the adapter fixed, and of
    other digits that it broke, as (test image number, picture, "pretrained -> adapted")."""
    labels, before = lesson.test_labels, lesson.pretrained_predictions
    after = lesson.predict(adapted, lesson.test_images)
    right_before, right_after, is_weak = (
        before == labels,
        after == labels,
        labels == lesson.weak_digit,
    )
    chosen = {
        "fixed": ~right_before & right_after & is_weak,
        "broken": right_before & ~right_after & ~is_weak,
    }
    return {
        kind: [
            (i, picture(lesson.test_images[i]), f"#{i}: {before[i]} → {after[i]}")
            for i in mask.nonzero().flatten()[:GALLERY_SIZE].tolist()
        ]
        for kind, mask in chosen.items()
    }


def refusal(message):
    """An error for the page: its message shown in a box, no traceback in the terminal."""
    return gr.Error(message, print_exception=False)


# --- The page ---------------------------------------------------------------------------------

EMPTY_CANVAS = (
    "The canvas is empty: pick the brush on its left and draw a digit, or pick a test image."
)


def show(playground, pixels, choice, strength, message):
    """The Explore tab for one model input: the input kept for later, its picture, both models'
    probabilities and a message."""
    base, adapted = playground.classify(pixels, choice, strength)
    return pixels, picture(pixels), base, adapted, message


def nothing_shown(message):
    return None, None, None, None, message


def show_drawing(playground, drawing, choice, strength):
    composite = None if drawing is None else drawing["composite"]
    pixels = None if composite is None else mnist_pixels(composite)
    if pixels is None:
        return nothing_shown(EMPTY_CANVAS)
    return show(playground, pixels, choice, strength, "Your drawing, made 28x28 as MNIST was.")


def show_test_image(playground, index, choice, strength):
    lesson, count = playground.lesson, len(playground.lesson.test_images)
    if index is None or not float(index).is_integer() or not 0 <= index < count:
        return nothing_shown(
            f"Test images are numbered 0 to {count - 1}; you typed {typed(index)}."
        )
    index = int(index)
    message = f"Test image {index}, a {int(lesson.test_labels[index])}."
    return show(playground, lesson.test_images[index].cpu(), choice, strength, message)


def typed(number):
    return "nothing" if number is None else f"{number:g}"


def show_again(playground, pixels, choice, strength):
    """Both models' probabilities for the input on show, after the adapter or strength changed."""
    if pixels is None:
        return None, None
    return playground.classify(pixels, choice, strength)


def train_on_page(playground, digit, rank, steps, progress=gr.Progress()):
    if steps is None or not float(steps).is_integer() or not 1 <= steps <= MAX_STEPS:
        raise refusal(
            f"Steps must be a whole number from 1 to {MAX_STEPS} (section 7 uses "
            f"{playground.lesson.FINETUNE_STEPS}); you typed {typed(steps)}."
        )
    if digit is None:
        raise refusal("Pick the digit the adapter is to learn.")
    rank = int(rank) if rank is not None and float(rank).is_integer() else rank
    run = playground.start_training(int(digit), rank, int(steps))
    while run.thread.is_alive():
        progress((run.done, run.steps), desc=f"training: {run.describe()}")
        yield curve_plot(run), f"Training: {run.describe()}.", gr.skip(), gr.skip(), gr.skip()
        run.thread.join(timeout=0.25)
    if run.error is not None:
        raise refusal(f"The training failed: {run.error}")
    label = playground.add_trained(run)
    picker = picker_of(playground, value=label)
    yield (
        curve_plot(run),
        training_summary(run),
        sizes_table(playground, run),
        str(run.path),
        picker,
    )


def curve_plot(run):
    return gr.LinePlot(run.curve(), x_lim=[0, run.steps])


def training_summary(run):
    (_, before), (_, after) = run.checks[0], run.checks[-1]
    digit = run.digit
    return (
        f"Trained in {run.seconds:.1f} s. Validation errors of digit {digit}: "
        f"{int(before[digit])} → {int(after[digit])}; the other nine digits: "
        f"{int(before.sum() - before[digit])} → {int(after.sum() - after[digit])}. "
        "The adapter is now in the Explore tab's picker."
    )


def sizes_table(playground, run):
    lesson = playground.lesson
    base_parameters = lesson.count_parameters(lesson.pretrained)
    base_bytes = (lesson.checkpoint_dir / "pretrained.pt").stat().st_size
    parameters = lesson.count_parameters(run.model, trainable_only=True)
    return (
        "| | parameters | file |\n| --- | ---: | ---: |\n"
        f"| base model (pretrained.pt) | {base_parameters:,} | {base_bytes:,} bytes |\n"
        f"| new adapter ({run.path.name}) | {parameters:,} ({parameters / base_parameters:.2%}) "
        f"| {run.path.stat().st_size:,} bytes |"
    )


def picker_of(playground, **selected):
    """The adapter picker with every choice there is now, for a page made earlier."""
    return gr.Radio(choices=list(playground.choices), **selected)


def add_uploaded_adapter(playground, path):
    label = playground.add_uploaded(path)
    message = f"{Path(path).name} is in the Explore tab's picker."
    return picker_of(playground, value=label), message


def build_page(playground):
    lesson = playground.lesson
    with gr.Blocks(title="LoRA playground", analytics_enabled=False) as page:
        gr.Markdown(
            f"# LoRA playground\nThe models of `{NOTEBOOK}`: its pretrained MLP, and adapters "
            f"trained with section 7's recipe that make its weights `W + λ (α/r) B A`. The weak "
            f"digit is {lesson.weak_digit}."
        )
        with gr.Tab("Explore"):
            picker = explore_tab(playground)
        with gr.Tab("Train"):
            train_tab(playground, picker)
        page.load(
            lambda: picker_of(playground),
            outputs=picker,
            api_visibility="private",
        )
    return page


def explore_tab(playground):
    with gr.Row():
        with gr.Column(min_width=CANVAS_SIDE + 60):
            canvas = gr.Sketchpad(
                label="Draw a digit",
                canvas_size=(CANVAS_SIDE, CANVAS_SIDE),
                image_mode="L",
                type="numpy",
                brush=gr.Brush(default_size=BRUSH_SIZE, colors=["#000000"], color_mode="fixed"),
                layers=False,
                transforms=(),
                elem_id="canvas",
            )
            test_index = gr.Number(
                label="... or type a test image's number", placeholder="0 to 9999"
            )
        with gr.Column(min_width=COLUMN_WIDTH):
            seen = gr.Image(label="What the model sees (28 x 28)", interactive=False, format="png")
            message = gr.Markdown(EMPTY_CANVAS, elem_id="message")
        # each in a column of its own, so that the canvas is laid out at its final width
        with gr.Column(min_width=COLUMN_WIDTH):
            base = gr.Label(label="Base model", num_top_classes=10, elem_id="base")
        with gr.Column(min_width=COLUMN_WIDTH):
            adapted = gr.Label(label="Adapted model", num_top_classes=10, elem_id="adapted")
    with gr.Row():
        picker = gr.Radio(
            list(playground.choices), value=playground.weak_choice, label="Adapter", scale=2
        )
        strength = gr.Slider(0, 2, value=1, step=0.05, label="Strength λ", elem_id="strength")
    gallery(playground, "fixed", test_index)
    gallery(playground, "broken", test_index)
    shown = gr.State()
    outputs = [shown, seen, base, adapted, message]
    canvas.change(
        partial(show_drawing, playground),
        [canvas, picker, strength],
        outputs,
        api_name="classify_drawing",
    )
    test_index.change(
        partial(show_test_image, playground),
        [test_index, picker, strength],
        outputs,
        api_name="classify_test_image",
    )
    for control in (picker, strength):
        control.change(
            partial(show_again, playground),
            [shown, picker, strength],
            [base, adapted],
            api_visibility="private",
        )
    return picker


def gallery(playground, kind, test_index):
    """One of section 7's galleries; a click on an image shows that test image."""
    title = {
        "fixed": f"Digit {playground.lesson.weak_digit}, fixed by the weak-digit adapter",
        "broken": "Other digits, broken by it",
    }[kind]
    entries = playground.galleries[kind]
    images = gr.Gallery(
        [(image, caption) for _, image, caption in entries],
        label=f"{title} (under each: pretrained → adapted prediction; click one to see it)",
        columns=GALLERY_SIZE,
        rows=1,
        height=GALLERY_HEIGHT,
        allow_preview=False,
    )

    def number_of(event: gr.SelectData):
        return entries[event.index][0]

    images.select(number_of, None, test_index, api_visibility="private")


def train_tab(playground, picker):
    with gr.Row():
        digit = gr.Dropdown(list(range(10)), value=playground.second_digit, label="Digit")
        rank = gr.Number(playground.lesson.LORA_RANK, label="Rank")
        steps = gr.Number(playground.lesson.FINETUNE_STEPS, label=f"Steps (1 to {MAX_STEPS})")
        button = gr.Button("Train", variant="primary")
    status = gr.Markdown(elem_id="training-status")
    curve = gr.LinePlot(
        x="step",
        y="validation errors",
        color="digits",
        title="Validation errors while training",
        y_lim=[0, None],
    )
    sizes = gr.Markdown()
    download = gr.File(label="The new adapter (download it to keep it)", height=FILE_HEIGHT)
    button.click(
        partial(train_on_page, playground),
        [digit, rank, steps],
        [curve, status, sizes, download, picker],
        api_name="train",
        trigger_mode="multiple",  # a second press reaches the server, which refuses it
        concurrency_limit=None,  # refusals do not wait in the queue behind the training
        show_progress_on=[status],
    )
    with gr.Row():
        upload = gr.File(
            label="Load an adapter file (.pt, from save_adapter)",
            file_types=[".pt"],
            height=FILE_HEIGHT,
        )
        uploaded = gr.Markdown()
    upload.upload(
        partial(add_uploaded_adapter, playground),
        upload,
        [picker, uploaded],
        api_name="load_adapter",
    )


# --- Starting it ------------------------------------------------------------------------------


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default: 127.0.0.1, this computer only; 0.0.0.0: every "
        "network the computer is on, for a class; see docs/playground.md)",
    )
    parser.add_argument(
        "--port", type=int, help="port to listen on (default: the first free from 7860)"
    )
    parser.add_argument(
        "--checkpoints",
        type=Path,
        help=f"the folder of {NOTEBOOK}'s pretrained.pt and adapter.pt (default: "
        f"{NOTEBOOK_CHECKPOINTS} with the notebook's parameters, where its section 10 saves them)",
    )
    return parser.parse_args(argv)


def main(argv=None):
    arguments = parse_arguments(argv)
    checkpoints = arguments.checkpoints and arguments.checkpoints.resolve()
    os.chdir(REPO)  # the notebook's paths (data/, checkpoints/) are relative to the repository
    with tempfile.TemporaryDirectory(prefix="lora-playground-") as trained_folder:
        try:
            page = build_page(Playground(load_lesson(checkpoints), Path(trained_folder)))
            url = serve(page, arguments.host, arguments.port)
        except (CheckpointError, MNISTDataError, OSError) as error:
            sys.exit(f"playground.py: {error}")
        print(f"LoRA playground running on {url} (Ctrl+C stops it)", flush=True)
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops it as Ctrl+C does
        if arguments.host != DEFAULT_HOST:
            port = urllib.parse.urlparse(url).port
            print(f"Listening on {arguments.host}: open http://<this computer's address>:{port}/")
        page.block_thread()


def serve(page, host, port):
    """Serve `page` from a background thread, on `host` only and never by a public share link;
    return its address."""
    page.queue(default_concurrency_limit=1)  # requests of one kind are answered one at a time
    _, url, _ = page.launch(
        server_name=host,
        server_port=port,
        share=False,
        prevent_thread_lock=True,
        quiet=True,
        max_file_size="1mb",  # an adapter is a few dozen kilobytes
        enable_monitoring=False,
        mcp_server=False,
        footer_links=["api"],
    )
    page.server.config.timeout_graceful_shutdown = 1  # Ctrl+C: open pages hold it 1 s, not 5
    return url


if __name__ == "__main__":
    main()
