"""How fast the playground is on this machine: start-up with the checkpoints present, the answer to
a drawing (the median of 50 requests) and the training of a rank-1 adapter for 160 steps (section
7's recipe), each seen from outside the app.

    python -m tests.benchmark_playground     # from the repository's folder

A drawing's answer is measured twice: through gradio_client, and over Gradio's queue protocol
itself, as the page's JavaScript speaks it (upload the drawing, join the queue, read the server's
events until the result). gradio_client polls for the server's events every 50 ms, which the
page does not. It is measured as the tests use it (local_client), and with its default settings,
where httpx loads the certificate authorities' list for each HTTP call even to a plain http://
address. A measurement, not a test: numbers on a shared CPU vary, so nothing is asserted.
"""

import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from gradio_client import Client

import playground
from tests.test_playground import (
    classify_drawing,
    local_client,
    running_playground,
    saved_drawing,
)

STARTS = 3
DRAWINGS = 50
TRAINING = {"rank": 1, "steps": 160}


def seconds_to_start():
    start = time.perf_counter()
    with running_playground():
        return time.perf_counter() - start


def milliseconds(answer, drawings):
    """The time `answer(drawing)` takes for each drawing, after one answer to warm up."""
    answer(drawings[0])
    times = []
    for drawing in drawings:
        start = time.perf_counter()
        answer(drawing)
        times.append(1000 * (time.perf_counter() - start))
    return times


def answer_through_gradio_client(client, chosen):
    return lambda drawing: classify_drawing(client, drawing, chosen, 1)


def answer_over_the_queue_protocol(url, chosen):
    """answer(drawing) as the page asks for it: upload, join the queue, wait for the result."""
    api, http = f"{url}gradio_api", httpx.Client()
    dependencies = http.get(f"{url}config").json()["dependencies"]
    endpoint = next(each["id"] for each in dependencies if each["api_name"] == "classify_drawing")

    def answer(drawing):
        session = uuid.uuid4().hex
        with drawing.open("rb") as file:
            (path,) = http.post(f"{api}/upload", files={"files": file}).json()
        composite = {"path": path, "meta": {"_type": "gradio.FileData"}}
        data = [{"background": None, "layers": [], "composite": composite, "id": None}, chosen, 1]
        request = {"data": data, "fn_index": endpoint, "session_hash": session}
        http.post(f"{api}/queue/join", json=request).raise_for_status()
        with http.stream("GET", f"{api}/queue/data", params={"session_hash": session}) as events:
            result = next(line for line in events.iter_lines() if "process_completed" in line)
        assert '"success":true' in result.replace(" ", ""), result

    return answer


def report_milliseconds(label, times):
    print(
        f"{label}: median {statistics.median(times):.0f} ms of {len(times)} "
        f"(fastest {min(times):.0f}, slowest {max(times):.0f})"
    )


def main():
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
    lesson = playground.load_lesson()  # pretrains and saves the base model if it is missing
    with running_playground():  # trains and saves the adapters if they are missing
        pass
    starts = [seconds_to_start() for _ in range(STARTS)]
    each = ", ".join(f"{seconds:.1f}" for seconds in starts)
    print(f"start-up with checkpoints: median {statistics.median(starts):.1f} s ({each})")
    with running_playground() as url, tempfile.TemporaryDirectory() as folder:
        chosen = f"digit {lesson.weak_digit}: the weak digit (lora.ipynb's adapter)"
        drawings = [
            saved_drawing(lesson.test_images[index], Path(folder) / f"{index}.png")
            for index in range(DRAWINGS)
        ]
        client = local_client(url)
        answer = answer_through_gradio_client(client, chosen)
        report_milliseconds("a drawing's answer, gradio_client", milliseconds(answer, drawings))
        answer = answer_through_gradio_client(Client(url, verbose=False), chosen)
        report_milliseconds("the same, default settings", milliseconds(answer, drawings))
        answer = answer_over_the_queue_protocol(url, chosen)
        report_milliseconds("the same, queue protocol", milliseconds(answer, drawings))
        digit = playground.second_weakest_digit(lesson)
        start = time.perf_counter()
        summary = client.predict(digit, TRAINING["rank"], TRAINING["steps"], api_name="/train")[1]
        print(f"training {TRAINING}: {time.perf_counter() - start:.1f} s; the page says: {summary}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
