"""CIFAR-10 from the binary distribution: record parsing, layout, errors, download, batches."""

from __future__ import annotations

import hashlib
import io
import tarfile
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tt_tensor as tt
from tt_data.collate import default_collate
from tt_data.datasets import utils
from tt_data.datasets.cifar import CIFAR10, read_cifar_binary
from tt_data.datasets.utils import DatasetNotFoundError
from tt_data.transforms import ToTensor


def chw_records(n: int, seed: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], bytes]:
    """Images in the file's CHW layout, labels, and the binary records."""
    rng = np.random.default_rng(seed)
    chw = rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    rec = np.concatenate([labels[:, None], chw.reshape(n, -1)], axis=1)
    return chw, labels, rec.tobytes()


def write_batches(
    folder: Path, n: int = 3
) -> dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    for k, name in enumerate(names):
        chw, labels, raw = chw_records(n + k, seed=k)
        (folder / name).write_bytes(raw)
        out[name] = (chw, labels)
    return out


@pytest.fixture(autouse=True)
def isolated_search_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TT_DATA_ROOT", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(utils, "SYSTEM_DIR", tmp_path / "system")


def test_records_become_hwc_images_and_int64_labels(tmp_path: Path) -> None:
    chw, labels, raw = chw_records(4, seed=0)
    (tmp_path / "b.bin").write_bytes(raw)
    images, targets = read_cifar_binary(tmp_path / "b.bin")
    assert images.shape == (4, 32, 32, 3)
    assert images.dtype == np.uint8
    assert images.flags.c_contiguous
    assert targets.dtype == np.int64
    np.testing.assert_array_equal(targets, labels)
    # pixel (row 5, col 7) of image 2, green channel = byte 1 + 1024 + 5 * 32 + 7 of record 2
    assert images[2, 5, 7, 1] == raw[2 * 3073 + 1 + 1024 + 5 * 32 + 7]
    np.testing.assert_array_equal(images, chw.transpose(0, 2, 3, 1))


def test_training_split_concatenates_the_five_batches_in_order(tmp_path: Path) -> None:
    parts = write_batches(tmp_path / "cifar-10-batches-bin")
    ds = CIFAR10(tmp_path)
    want = np.concatenate([parts[f"data_batch_{i}.bin"][0] for i in range(1, 6)])
    assert len(ds) == 3 + 4 + 5 + 6 + 7
    np.testing.assert_array_equal(ds.data, want.transpose(0, 2, 3, 1))
    want_labels = np.concatenate([parts[f"data_batch_{i}.bin"][1] for i in range(1, 6)])
    np.testing.assert_array_equal(ds.targets, want_labels)
    test = CIFAR10(tmp_path, train=False)
    np.testing.assert_array_equal(test.targets, parts["test_batch.bin"][1])


@pytest.mark.parametrize(
    "layout", ["CIFAR10/cifar-10-batches-bin", "cifar-10", "."], ids=["tv", "debian", "flat"]
)
def test_accepted_layouts(tmp_path: Path, layout: str) -> None:
    write_batches(tmp_path / layout)
    assert len(CIFAR10(tmp_path, train=False)) == 8


def test_system_folder_is_searched(tmp_path: Path) -> None:
    write_batches(tmp_path / "system" / "cifar-10-batches-bin")
    assert len(CIFAR10(train=False)) == 8


def test_not_found_error_lists_places_and_remedies(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError) as err:  # a RuntimeError, as in torchvision
        CIFAR10(tmp_path / "root")
    assert isinstance(err.value, RuntimeError)
    text = str(err.value)
    assert f"  {tmp_path / 'root' / 'cifar-10-batches-bin'}\n" in text
    assert f"  {tmp_path / 'system' / 'cifar-10-batches-bin'}\n" in text
    assert "data_batch_1.bin" in text
    assert "download=True" in text


def test_size_not_a_whole_number_of_records_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "cifar-10-batches-bin"
    write_batches(folder)
    raw = (folder / "test_batch.bin").read_bytes()
    (folder / "test_batch.bin").write_bytes(raw[:-5])
    with pytest.raises(RuntimeError, match=f"expected a multiple of 3073 bytes .* {len(raw) - 5}"):
        CIFAR10(tmp_path, train=False)
    (folder / "test_batch.bin").write_bytes(b"")
    with pytest.raises(RuntimeError, match="received 0 bytes"):
        CIFAR10(tmp_path, train=False)


def test_label_out_of_range_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "cifar-10-batches-bin"
    write_batches(folder)
    raw = bytearray((folder / "test_batch.bin").read_bytes())
    raw[3073] = 12
    (folder / "test_batch.bin").write_bytes(bytes(raw))
    with pytest.raises(RuntimeError, match=r"labels must be in 0\.\.9, received 12"):
        CIFAR10(tmp_path, train=False)


def test_items_and_batches_follow_the_hwc_convention(tmp_path: Path) -> None:
    write_batches(tmp_path / "cifar-10-batches-bin")
    ds = CIFAR10(tmp_path, train=False)
    img, label = ds[1]
    assert img.shape == (32, 32, 3)
    assert type(label) is int
    images, labels = default_collate(ds.__getitems__([0, 1]))
    assert tuple(images.shape) == (2, 32, 32, 3)
    assert labels.dtype == tt.int64
    ds.transform = ToTensor()
    images, _ = default_collate(ds.__getitems__([0, 1]))
    assert tuple(images.shape) == (2, 3, 32, 32)
    np.testing.assert_allclose(images.numpy()[1], ds[1][0].numpy())
    np.testing.assert_allclose(images.numpy()[1], ds.data[1].transpose(2, 0, 1) / 255, rtol=1e-6)


def make_archive(parts_folder: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(parts_folder, arcname="cifar-10-batches-bin")
    return buf.getvalue()


def test_download_true_fetches_verifies_and_extracts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    parts = write_batches(tmp_path / "src")
    blob = make_archive(tmp_path / "src")
    monkeypatch.setattr(CIFAR10, "sha256", hashlib.sha256(blob).hexdigest())
    asked: list[str] = []

    def fake_urlopen(request: Any, timeout: float = 0) -> Any:
        asked.append(request.full_url)
        resp = io.BytesIO(blob)
        resp.headers = {}  # type: ignore[attr-defined]
        return resp

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    ds = CIFAR10(tmp_path / "dl", train=False, download=True)
    assert asked == [CIFAR10.url]
    np.testing.assert_array_equal(ds.targets, parts["test_batch.bin"][1])
    assert (tmp_path / "dl" / "cifar-10-binary.tar.gz").is_file()
    # Already there: the second download=True neither fetches nor fails.
    CIFAR10(tmp_path / "dl", download=True)
    assert len(asked) == 1


def test_download_with_wrong_checksum_keeps_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_batches(tmp_path / "src")
    blob = make_archive(tmp_path / "src")

    def fake_urlopen(request: Any, timeout: float = 0) -> Any:
        resp = io.BytesIO(blob)
        resp.headers = {}  # type: ignore[attr-defined]
        return resp

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    with pytest.raises(RuntimeError, match=f"expected SHA-256 {CIFAR10.sha256}"):
        CIFAR10(tmp_path / "dl", download=True)
    assert list((tmp_path / "dl").iterdir()) == []


def test_memory_figures_in_the_docstring_match_the_sizes() -> None:
    doc = CIFAR10.__doc__ or ""
    assert f"{50_000 * 32 * 32 * 3:,} bytes of images + {50_000 * 8:,} bytes" in doc
    assert f"{10_000 * 32 * 32 * 3:,} + {10_000 * 8:,} bytes" in doc
