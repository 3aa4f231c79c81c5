"""How fast the playground is on this machine: start-up with the checkpoints present, the answer to
a drawing (the median of 50 requests through gradio_client) and the training of a rank-1 adapter
for 160 steps (section 7's recipe), each from the client's side.

    python -m tests.benchmark_playground     # from the repository's folder

A measurement, not a test: numbers on a shared CPU vary from run to run, so nothing is asserted.
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

from gradio_client import Client

import playground
from tests.test_playground import classify_drawing, running_playground, saved_drawing

STARTS = 3
DRAWINGS = 50
TRAINING = {"rank": 1, "steps": 160}


def seconds_to_start():
    start = time.perf_counter()
    with running_playground():
        return time.perf_counter() - start


def drawing_milliseconds(client, lesson, folder):
    """Milliseconds for each of DRAWINGS requests, each a different test image drawn large."""
    chosen = f"digit {lesson.weak_digit}: the weak digit (lora.ipynb's adapter)"
    drawings = [
        saved_drawing(lesson.test_images[index], folder / f"{index}.png")
        for index in range(DRAWINGS)
    ]
    classify_drawing(client, drawings[0], chosen, 1)  # warm-up: the adapted model is built
    times = []
    for drawing in drawings:
        start = time.perf_counter()
        classify_drawing(client, drawing, chosen, 1)
        times.append(1000 * (time.perf_counter() - start))
    return times


def training_seconds(client, digit):
    start = time.perf_counter()
    summary = client.predict(digit, TRAINING["rank"], TRAINING["steps"], api_name="/train")[1]
    return time.perf_counter() - start, summary


def main():
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
    lesson = playground.load_lesson()  # creates the checkpoints if they are missing
    with running_playground():  # and the second adapter
        pass
    starts = [seconds_to_start() for _ in range(STARTS)]
    print(
        f"start-up with checkpoints: median {statistics.median(starts):.1f} s of {STARTS}", end=""
    )
    print(f" ({', '.join(f'{s:.1f}' for s in starts)})")
    with running_playground() as url, tempfile.TemporaryDirectory() as folder:
        client = Client(url, verbose=False)
        times = drawing_milliseconds(client, lesson, Path(folder))
        print(
            f"a drawing's answer: median {statistics.median(times):.0f} ms of {DRAWINGS} requests "
            f"(fastest {min(times):.0f}, slowest {max(times):.0f})"
        )
        seconds, summary = training_seconds(client, playground.second_weakest_digit(lesson))
        print(f"training rank {TRAINING['rank']}, {TRAINING['steps']} steps: {seconds:.1f} s")
        print(f"  the page says: {summary}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
