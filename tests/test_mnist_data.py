"""The data plumbing, tested on tiny MNIST-format files made here (never the real dataset)."""

import hashlib
import socket
import struct
import threading
import time

import pytest
import torch

import mnist_data
from mnist_data import MNISTDataError, load_mnist, make_loader, raw_folder

N_TRAIN, N_TEST = 12, 5


def write_idx(path, tensor):
    """Write a uint8 tensor in the IDX format MNIST uses: magic, big-endian sizes, raw bytes."""
    magic = struct.pack(">HBB", 0, 0x08, tensor.dim())
    sizes = struct.pack(f">{tensor.dim()}I", *tensor.shape)
    path.write_bytes(magic + sizes + tensor.numpy().tobytes())


@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch):
    """A root holding four small valid MNIST files, with the checksum table pointed at them."""
    folder = raw_folder(tmp_path)
    folder.mkdir(parents=True)
    generator = torch.Generator().manual_seed(0)
    for split, count in (("train", N_TRAIN), ("t10k", N_TEST)):
        images = torch.randint(0, 256, (count, 28, 28), dtype=torch.uint8, generator=generator)
        write_idx(folder / f"{split}-images-idx3-ubyte", images)
        write_idx(
            folder / f"{split}-labels-idx1-ubyte", torch.arange(count, dtype=torch.uint8) % 10
        )
    digests = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in mnist_data.MNIST_SHA256
    }
    monkeypatch.setattr(mnist_data, "MNIST_SHA256", digests)
    return tmp_path


def test_happy_path_returns_normalized_float_images_and_int64_labels(tiny_mnist):
    images, labels = load_mnist(tiny_mnist, train=True)
    assert images.shape == (N_TRAIN, 784) and images.dtype == torch.float32
    assert labels.shape == (N_TRAIN,) and labels.dtype == torch.int64
    assert labels.tolist() == [i % 10 for i in range(N_TRAIN)]
    pixels = (images * mnist_data.PIXEL_STD + mnist_data.PIXEL_MEAN) * 255
    assert (
        torch.allclose(pixels, pixels.round(), atol=1e-3)
        and pixels.min() >= -1e-3
        and pixels.max() <= 255.001
    )

    test_images, test_labels = load_mnist(tiny_mnist, train=False)
    assert test_images.shape == (N_TEST, 784) and test_labels.shape == (N_TEST,)


def test_truncated_file_is_named_in_the_error(tiny_mnist):
    corrupt = raw_folder(tiny_mnist) / "train-labels-idx1-ubyte"
    corrupt.write_bytes(corrupt.read_bytes()[:-3])
    with pytest.raises(
        MNISTDataError, match="train-labels-idx1-ubyte is corrupt or truncated"
    ) as error:
        load_mnist(tiny_mnist)
    assert "Delete it" in str(error.value)


def test_the_real_files_are_checked_against_the_official_checksums(tmp_path):
    folder = raw_folder(tmp_path)
    folder.mkdir(parents=True)
    for name in mnist_data.MNIST_SHA256:
        (folder / name).write_bytes(b"not MNIST")
    with pytest.raises(MNISTDataError, match="train-images-idx3-ubyte is corrupt"):
        load_mnist(tmp_path)


def test_missing_files_without_download_say_where_to_put_them(tmp_path):
    with pytest.raises(MNISTDataError) as error:
        load_mnist(tmp_path, download=False)
    message = str(error.value)
    assert str(raw_folder(tmp_path)) in message
    assert all(name in message for name in mnist_data.MNIST_SHA256)


def test_missing_files_with_unreachable_mirrors_fail_fast(tmp_path, monkeypatch):
    monkeypatch.setattr(
        mnist_data.MNIST, "mirrors", ["http://127.0.0.1:9/"]
    )  # nothing listens there
    start = time.monotonic()
    with pytest.raises(MNISTDataError, match="the download failed") as error:
        load_mnist(tmp_path)
    assert time.monotonic() - start < 5
    assert "MNIST/raw" in str(error.value) and "gunzip" in str(error.value)


def test_a_mirror_that_never_answers_times_out_instead_of_hanging(tmp_path, monkeypatch):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts connections, never sends a byte
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    monkeypatch.setattr(
        mnist_data.MNIST, "mirrors", [f"http://127.0.0.1:{silent.getsockname()[1]}/"]
    )
    monkeypatch.setattr(mnist_data, "DOWNLOAD_TIMEOUT_S", 0.5)
    start = time.monotonic()
    with pytest.raises(MNISTDataError, match="the download failed"):
        load_mnist(tmp_path)
    assert time.monotonic() - start < 5
    silent.close()


def test_loader_is_seeded_and_yields_whole_batches(tiny_mnist):
    images, labels = load_mnist(tiny_mnist)

    def first_epoch(seed):
        return [batch_labels.tolist() for _, batch_labels in make_loader(images, labels, 5, seed)]

    assert first_epoch(seed=1) == first_epoch(seed=1)
    assert first_epoch(seed=1) != first_epoch(seed=2)
    assert [len(batch) for batch in first_epoch(seed=1)] == [5, 5, 2]
    ordered = [y.tolist() for _, y in make_loader(images, labels, 5, shuffle=False)]
    assert sum(ordered, []) == labels.tolist()
