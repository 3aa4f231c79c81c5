"""MNIST for both notebooks: downloaded once, checksum-verified, held in memory as tensors.

`torchvision.datasets.MNIST(root, download=True)` downloads only when the four uncompressed
files are missing from `<root>/MNIST/raw/`, so a copy placed there works offline.
"""

import hashlib
import socket
from contextlib import contextmanager
from pathlib import Path

import torch
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
)
from torchvision.datasets import MNIST

# SHA-256 of the official uncompressed files, as torchvision downloads them.
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
PIXEL_MEAN, PIXEL_STD = 0.1307, 0.3081  # over the training images, pixels scaled to [0, 1]
DOWNLOAD_TIMEOUT_S = 10  # per network operation: a dead network fails fast instead of hanging


class MNISTDataError(RuntimeError):
    """The MNIST files are missing, cannot be downloaded, or are corrupt."""


def raw_folder(root):
    return Path(root) / "MNIST" / "raw"


def load_mnist(root="data", train=True, download=True):
    """Return (images, labels): float32 `(N, 784)` normalized pixels and int64 `(N,)` digits."""
    if _missing_files(root):
        if not download:
            raise MNISTDataError(_how_to_place_files(root, "download=False was given"))
        _download(root)
    verify_checksums(root)
    dataset = MNIST(root, train=train, download=download)
    images = (dataset.data.float() / 255 - PIXEL_MEAN) / PIXEL_STD
    return images.flatten(start_dim=1), dataset.targets


def make_loader(images, labels, batch_size, seed=None, shuffle=True):
    """A DataLoader over in-memory tensors; with `shuffle=True` the order comes from `seed`."""
    dataset = TensorDataset(images, labels)
    if shuffle:
        order = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    else:
        order = SequentialSampler(dataset)
    return batch_loader(dataset, order, batch_size)


def batch_loader(dataset, sampler, batch_size):
    """A DataLoader that takes `batch_size` indices at a time from `sampler` and slices the tensors
    once per batch, instead of fetching and stacking images one by one."""
    batches = BatchSampler(sampler, batch_size, drop_last=False)
    return DataLoader(dataset, sampler=batches, batch_size=None, num_workers=0)


def verify_checksums(root="data"):
    for name, expected in MNIST_SHA256.items():
        path = raw_folder(root) / name
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise MNISTDataError(
                f"{path} is corrupt or truncated: its SHA-256 is {actual}, expected {expected}. "
                f"Delete it and run again to download it afresh, or copy a good {name} there."
            )


def _missing_files(root):
    return [name for name in MNIST_SHA256 if not (raw_folder(root) / name).is_file()]


def _download(root):
    try:
        with _network_timeout(DOWNLOAD_TIMEOUT_S):
            MNIST(root, download=True)
    except (RuntimeError, OSError) as error:
        raise MNISTDataError(_how_to_place_files(root, f"the download failed: {error}")) from error


def _how_to_place_files(root, reason):
    missing = ", ".join(_missing_files(root))
    return (
        f"MNIST is not in {raw_folder(root)}/ and {reason}. Missing: {missing}. "
        f"For offline use, put the four uncompressed MNIST files there "
        f"({', '.join(MNIST_SHA256)}), e.g. `gunzip -c train-images-idx3-ubyte.gz > "
        f"{raw_folder(root)}/train-images-idx3-ubyte` for each of the four .gz files."
    )


@contextmanager
def _network_timeout(seconds):
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)
