"""MNIST and Fashion-MNIST: IDX parsing, where files are found, errors, items and batches.

Small IDX files are written into tmp_path; no network (downloads use a fake urlopen).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import struct
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

import tt_tensor as tt
from tt_data.collate import default_collate
from tt_data.datasets import utils
from tt_data.datasets.mnist import MNIST, FashionMNIST, read_idx
from tt_data.transforms import ToTensor

N = 7


def idx_bytes(arr: np.ndarray[Any, Any]) -> bytes:
    header = struct.pack(">HBB", 0, 0x08, arr.ndim) + struct.pack(f">{arr.ndim}i", *arr.shape)
    return header + arr.astype(np.uint8).tobytes()


def sample_arrays(n: int = N, seed: int = 0) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n, dtype=np.uint8)


def write_split(
    folder: Path, prefix: str = "train", gz: bool = True, n: int = N, seed: int = 0
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    images, labels = sample_arrays(n, seed)
    folder.mkdir(parents=True, exist_ok=True)
    for stem, arr in (
        (f"{prefix}-images-idx3-ubyte", images),
        (f"{prefix}-labels-idx1-ubyte", labels),
    ):
        raw = idx_bytes(arr)
        if gz:
            (folder / (stem + ".gz")).write_bytes(gzip.compress(raw))
        else:
            (folder / stem).write_bytes(raw)
    return images, labels


@pytest.fixture(autouse=True)
def isolated_search_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the real cache, $TT_DATA_ROOT or /usr/share/datasets."""
    monkeypatch.delenv("TT_DATA_ROOT", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(utils, "SYSTEM_DIR", tmp_path / "system")


@pytest.mark.parametrize("gz", [True, False])
def test_mnist_reads_a_flat_folder_gzipped_or_not(tmp_path: Path, gz: bool) -> None:
    images, labels = write_split(tmp_path / "flat", gz=gz)
    ds = MNIST(tmp_path / "flat")
    assert ds.data.dtype == np.uint8
    assert ds.data.shape == (N, 28, 28)
    assert ds.targets.dtype == np.int64
    np.testing.assert_array_equal(ds.data, images)
    np.testing.assert_array_equal(ds.targets, labels)
    assert len(ds) == N


def test_mnist_reads_torchvision_layout_and_the_test_split(tmp_path: Path) -> None:
    images, labels = write_split(tmp_path / "MNIST" / "raw", "t10k", gz=False, n=3)
    ds = MNIST(tmp_path, train=False)
    np.testing.assert_array_equal(ds.data, images)
    np.testing.assert_array_equal(ds.targets, labels)
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte"):
        MNIST(tmp_path, train=True)


def test_fashion_mnist_found_in_the_debian_system_folder(tmp_path: Path) -> None:
    images, _ = write_split(tmp_path / "system" / "fashion-mnist")
    ds = FashionMNIST()
    np.testing.assert_array_equal(ds.data, images)
    assert ds.files[0] == tmp_path / "system" / "fashion-mnist" / "train-images-idx3-ubyte.gz"
    with pytest.raises(RuntimeError, match="MNIST: dataset files not found"):
        MNIST()  # MNIST looks for .../mnist, not .../fashion-mnist


def test_env_variable_and_user_cache_are_searched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache_images, _ = write_split(tmp_path / "xdg" / "tt-data" / "MNIST" / "raw", seed=1)
    np.testing.assert_array_equal(MNIST().data, cache_images)
    env_images, _ = write_split(tmp_path / "env" / "MNIST", seed=2)
    monkeypatch.setenv("TT_DATA_ROOT", str(tmp_path / "env"))
    np.testing.assert_array_equal(MNIST().data, env_images)  # env comes before the cache
    root_images, _ = write_split(tmp_path / "root", seed=3)
    np.testing.assert_array_equal(MNIST(tmp_path / "root").data, root_images)  # root first


def test_not_found_error_lists_every_place_and_both_remedies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TT_DATA_ROOT", str(tmp_path / "env"))
    with pytest.raises(RuntimeError) as err:
        FashionMNIST(tmp_path / "root")
    text = str(err.value)
    for place in (
        tmp_path / "root" / "FashionMNIST" / "raw",
        tmp_path / "root",
        tmp_path / "env" / "fashion-mnist",
        tmp_path / "xdg" / "tt-data" / "FashionMNIST",
        tmp_path / "system" / "fashion-mnist",
    ):
        assert f"  {place}\n" in text
    assert "download=True" in text
    assert "TT_DATA_ROOT" in text
    assert "apt install dataset-fashion-mnist" in text


def corrupt(tmp_path: Path, which: str, raw: bytes) -> Path:
    folder = tmp_path / "bad"
    write_split(folder, gz=False)
    name = "train-images-idx3-ubyte" if which == "images" else "train-labels-idx1-ubyte"
    (folder / name).write_bytes(raw)
    return folder


def test_bad_magic_number_names_file_expected_and_received(tmp_path: Path) -> None:
    images, _ = sample_arrays()
    raw = idx_bytes(images)
    folder = corrupt(tmp_path, "images", struct.pack(">i", 2049) + raw[4:])
    with pytest.raises(
        RuntimeError,
        match=r"train-images-idx3-ubyte: bad IDX magic number: "
        r"expected 2051 \(uint8, 3 dims\), received 2049",
    ):
        MNIST(folder)


@pytest.mark.parametrize("cut", [-1, +1], ids=["truncated", "extra-byte"])
def test_wrong_byte_count_is_reported_exactly(tmp_path: Path, cut: int) -> None:
    _, labels = sample_arrays()
    raw = idx_bytes(labels)
    raw = raw[:-1] if cut < 0 else raw + b"\x00"
    folder = corrupt(tmp_path, "labels", raw)
    with pytest.raises(RuntimeError, match=rf"expected {8 + N} bytes, received {len(raw)} bytes"):
        MNIST(folder)


def test_header_only_and_empty_files_are_reported(tmp_path: Path) -> None:
    folder = corrupt(tmp_path, "labels", b"\x00\x00")
    with pytest.raises(RuntimeError, match="truncated IDX file: 2 bytes"):
        MNIST(folder)
    folder = corrupt(tmp_path, "labels", struct.pack(">i", 2049))
    with pytest.raises(RuntimeError, match="truncated IDX header: expected 8 bytes, got 4"):
        MNIST(folder)


def test_image_and_label_counts_must_agree(tmp_path: Path) -> None:
    folder = corrupt(tmp_path, "labels", idx_bytes(np.zeros(N + 1, np.uint8)))
    with pytest.raises(RuntimeError, match=f"holds {N} images but .* holds {N + 1} labels"):
        MNIST(folder)


def test_images_must_be_28_by_28(tmp_path: Path) -> None:
    folder = corrupt(tmp_path, "images", idx_bytes(np.zeros((N, 16, 16), np.uint8)))
    with pytest.raises(RuntimeError, match="expected images of 28x28 pixels, received 16x16"):
        MNIST(folder)


def test_labels_out_of_range_are_reported(tmp_path: Path) -> None:
    folder = corrupt(tmp_path, "labels", idx_bytes(np.full(N, 10, np.uint8)))
    with pytest.raises(RuntimeError, match=r"labels must be in 0\.\.9, received 10"):
        MNIST(folder)


def test_truncated_gzip_file_is_reported(tmp_path: Path) -> None:
    write_split(tmp_path / "gz")
    p = tmp_path / "gz" / "train-images-idx3-ubyte.gz"
    p.write_bytes(p.read_bytes()[:-20])
    with pytest.raises(RuntimeError, match="corrupt or truncated gzip file"):
        MNIST(tmp_path / "gz")


def test_read_idx_without_ndim_still_checks_the_type_code(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(bytes([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]))  # float32
    with pytest.raises(RuntimeError, match="bad IDX magic number"):
        read_idx(tmp_path / "f")
    (tmp_path / "g").write_bytes(idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3)))
    np.testing.assert_array_equal(read_idx(tmp_path / "g"), np.arange(6).reshape(2, 3))


def test_item_is_uint8_image_and_int_label_and_a_copy(tmp_path: Path) -> None:
    images, labels = write_split(tmp_path)
    ds = MNIST(tmp_path)
    img, label = ds[2]
    assert img.shape == (28, 28)
    assert img.dtype == np.uint8
    assert type(label) is int
    assert label == labels[2]
    img[:] = 0
    np.testing.assert_array_equal(ds.data[2], images[2])
    np.testing.assert_array_equal(ds[-1][0], images[-1])
    with pytest.raises(IndexError, match=f"index {N} out of range"):
        ds[N]


def test_item_with_to_tensor_is_float_chw(tmp_path: Path) -> None:
    images, _ = write_split(tmp_path)
    ds = MNIST(tmp_path, transform=ToTensor(), target_transform=lambda y: y + 100)
    img, label = ds[0]
    assert isinstance(img, tt.Tensor)
    assert tuple(img.shape) == (1, 28, 28)
    assert img.dtype == tt.float32
    np.testing.assert_allclose(img.numpy()[0], images[0] / 255, rtol=1e-6)
    assert label == int(ds.targets[0]) + 100


def test_getitems_without_transform_equals_collating_the_items(tmp_path: Path) -> None:
    write_split(tmp_path)
    ds = MNIST(tmp_path)
    idx = [4, 0, 4, 6]
    batch = ds.__getitems__(idx)
    assert len(batch) == 4
    images, labels = default_collate(batch)
    ref_images, ref_labels = default_collate([ds[i] for i in idx])
    assert images.dtype == tt.uint8
    assert tuple(images.shape) == (4, 28, 28)
    assert labels.dtype == tt.int64
    np.testing.assert_array_equal(images.numpy(), ref_images.numpy())
    np.testing.assert_array_equal(labels.numpy(), ref_labels.numpy())
    np.testing.assert_array_equal(batch[1][0], ds[0][0])  # lazy per-sample view


def test_getitems_calls_the_transform_once_with_an_nhwc_batch(tmp_path: Path) -> None:
    write_split(tmp_path)
    seen: list[tuple[int, ...]] = []

    def spy(x: np.ndarray[Any, Any]) -> Any:
        seen.append(x.shape)
        return ToTensor()(x)

    ds = MNIST(tmp_path, transform=spy, target_transform=lambda y: y * 2)
    images, labels = default_collate(ds.__getitems__([1, 2, 3]))
    assert seen == [(3, 28, 28, 1)]
    assert tuple(images.shape) == (3, 1, 28, 28)
    assert images.dtype == tt.float32
    np.testing.assert_allclose(images.numpy()[:, 0], ds.data[[1, 2, 3]] / 255, rtol=1e-6)
    assert labels.tolist() == [2 * int(t) for t in ds.targets[[1, 2, 3]]]


def test_getitems_rejects_out_of_range_indices(tmp_path: Path) -> None:
    write_split(tmp_path)
    with pytest.raises(IndexError, match="out of range"):
        MNIST(tmp_path).__getitems__([0, N])


def test_repr_and_classes(tmp_path: Path) -> None:
    write_split(tmp_path)
    text = repr(MNIST(tmp_path))
    assert f"Number of datapoints: {N}" in text
    assert "Split: Train" in text
    assert FashionMNIST.classes[0] == "T-shirt/top"
    assert len(MNIST.classes) == 10
    assert FashionMNIST(tmp_path).class_to_idx["Bag"] == 8


class FakeMNIST(MNIST):
    """MNIST pointed at a fake mirror whose pins are the digests of the fake files."""

    mirrors: ClassVar[list[str]] = ["https://down.example/", "https://fake.example/"]
    resources: ClassVar[list[tuple[str, str]]] = []
    folder: ClassVar[str] = "fake"


def test_download_true_fetches_checks_and_loads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served: dict[str, bytes] = {}
    pins = []
    arrays = {}
    for prefix in ("train", "t10k"):
        images, labels = sample_arrays(seed=len(prefix))
        arrays[prefix] = images
        for stem, arr in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{prefix}-{stem}-ubyte.gz"
            blob = gzip.compress(idx_bytes(arr))
            served["https://fake.example/" + name] = blob
            pins.append((name, hashlib.sha256(blob).hexdigest()))
    monkeypatch.setattr(FakeMNIST, "resources", pins)

    def fake_urlopen(request: Any, timeout: float = 0) -> Any:
        url = request.full_url
        if url not in served:
            raise urllib.error.URLError("down")
        return _Response(served[url])

    import urllib.error

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    ds = FakeMNIST(tmp_path, download=True)
    np.testing.assert_array_equal(ds.data, arrays["train"])
    raw = tmp_path / "FakeMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(name for name, _ in pins)
    np.testing.assert_array_equal(FakeMNIST(tmp_path, train=False).data, arrays["t10k"])

    # A mirror serving other bytes: the pinned digest refuses them, nothing is kept.
    for p in raw.iterdir():
        p.unlink()
    served["https://fake.example/train-images-idx3-ubyte.gz"] = gzip.compress(b"evil")
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        FakeMNIST(tmp_path, download=True)
    assert not (raw / "train-images-idx3-ubyte.gz").exists()


class _Response(io.BytesIO):
    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Length": str(len(self.getvalue()))}


def test_download_destination_is_root_then_env_then_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert MNIST.__new__(MNIST).__class__ is MNIST
    assert utils.download_root(tmp_path / "r") == tmp_path / "r"
    assert utils.download_root() == tmp_path / "xdg" / "tt-data"
    monkeypatch.setenv("TT_DATA_ROOT", str(tmp_path / "env"))
    assert utils.download_root() == tmp_path / "env"


def test_mnist_pins_are_the_published_sha256_values() -> None:
    # Cross-checked against several independent public sources (see the report); a typo
    # here would make every real download fail.
    pins = dict(MNIST.resources)
    assert pins["train-images-idx3-ubyte.gz"].startswith("440fcabf73cc546f")
    assert all(len(v) == 64 and int(v, 16) >= 0 for v in pins.values())
    assert len(dict(FashionMNIST.resources)) == 4
