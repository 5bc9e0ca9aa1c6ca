"""Behaviour tests for tt_data.transforms: single images and vectorized batches."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tt_tensor as tt
from tt_data.transforms import (
    Compose,
    Lambda,
    Normalize,
    RandomCrop,
    RandomErasing,
    RandomHorizontalFlip,
    ToTensor,
)

Array = np.ndarray[Any, Any]


def _uint8(*shape: int, seed: int = 0) -> Array:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _g(seed: int = 0) -> tt.Generator:
    return tt.Generator().manual_seed(seed)


def test_to_tensor_converts_hwc_uint8_to_chw_float_in_unit_range() -> None:
    img = _uint8(4, 5, 3)
    out = ToTensor()(img)
    assert out.shape == (3, 4, 5)
    assert out.dtype == tt.float32
    np.testing.assert_array_equal(out.numpy(), img.transpose(2, 0, 1).astype(np.float32) / 255)
    assert out.numpy().min() >= 0
    assert out.numpy().max() <= 1


def test_to_tensor_hw_and_batches() -> None:
    assert ToTensor()(_uint8(6, 7)).shape == (1, 6, 7)
    nhwc = _uint8(2, 6, 7, 3)
    out = ToTensor()(nhwc)
    assert out.shape == (2, 3, 6, 7)
    assert out.is_contiguous()
    np.testing.assert_array_equal(out.numpy()[1], ToTensor()(nhwc[1]).numpy())
    assert ToTensor(batch=True)(_uint8(5, 6, 7)).shape == (5, 1, 6, 7)


def test_to_tensor_keeps_float_values_and_rejects_bad_rank() -> None:
    f = np.full((2, 2), 3.0, dtype=np.float64)
    out = ToTensor()(f)
    assert out.dtype == tt.float64
    assert out.numpy().max() == 3.0
    with pytest.raises(ValueError, match="ToTensor: pic should be 2 or 3 dimensional"):
        ToTensor(batch=False)(_uint8(1, 2, 3, 4))
    with pytest.raises(TypeError, match="ToTensor: expected a tt tensor or a NumPy array"):
        ToTensor()([[1, 2]])


def test_normalize_per_channel_on_image_and_batch_arrays_and_tensors() -> None:
    x = np.random.default_rng(1).random((4, 3, 5, 5)).astype(np.float32)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    m = np.array(mean, np.float32)[:, None, None]
    s = np.array(std, np.float32)[:, None, None]
    want = (x - m) / s
    np.testing.assert_array_equal(Normalize(mean, std)(x), want)
    np.testing.assert_array_equal(Normalize(mean, std)(x[2]), want[2])
    got = Normalize(mean, std)(tt.from_numpy(x.copy()))
    assert isinstance(got, tt.Tensor)
    np.testing.assert_array_equal(got.numpy(), want)


def test_normalize_inplace_writes_into_input() -> None:
    x = np.ones((1, 2, 2), np.float32)
    out = Normalize([0.5], [0.5], inplace=True)(x)
    assert out is x
    assert x.tolist() == [[[1.0, 1.0], [1.0, 1.0]]]


def test_normalize_errors_name_what_was_expected() -> None:
    with pytest.raises(TypeError, match="should be a float tensor"):
        Normalize([0.5], [0.5])(np.zeros((1, 2, 2), np.uint8))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        Normalize([0.5], [0.0])(np.zeros((1, 2, 2), np.float32))
    with pytest.raises(ValueError, match="Normalize: mean has 2 values but the input has 3"):
        Normalize([0.5, 0.5], [1.0])(np.zeros((3, 2, 2), np.float32))


def test_compose_to_tensor_normalize_fast_path_is_within_its_rounding_bound() -> None:
    # Compose runs ToTensor + Normalize on uint8 as k * a + b (see _to_tensor_normalize).
    # Both that and the separate transforms must lie within 2 * eps32 * (|k a| + |b|) of the
    # exact (k / 255 - mean) / std, computed here in float64.
    mean, std = (0.2860, 0.49), (0.3530, 0.26)
    for shape, m, s in (((16, 28, 28), mean[:1], std[:1]), ((16, 8, 8, 2), mean, std)):
        x = _uint8(*shape)
        to = ToTensor(batch=True) if len(shape) == 3 else ToTensor()
        fused = Compose([to, Normalize(m, s)])(x).numpy()
        plain = Normalize(m, s)(to(x)).numpy()
        k = to(x).numpy().astype(np.float64) * 255.0
        m64 = np.asarray(np.float32(m), np.float64).reshape(-1, 1, 1)
        s64 = np.asarray(np.float32(s), np.float64).reshape(-1, 1, 1)
        exact = (k / 255.0 - m64) / s64
        bound = 2 * np.finfo(np.float32).eps * (np.abs(k / (255.0 * s64)) + np.abs(m64 / s64))
        assert fused.dtype == plain.dtype == np.float32
        assert fused.shape == plain.shape
        assert (np.abs(fused - exact) <= bound).all()
        assert (np.abs(plain - exact) <= bound).all()


def test_compose_applies_in_order_and_lambda() -> None:
    t = Compose([Lambda(lambda v: v * 2), Lambda(lambda v: v + 1)])
    assert t(3) == 7
    assert "Lambda" in repr(t)


def test_random_crop_batch_samples_are_windows_of_the_padded_images() -> None:
    x = np.arange(6 * 2 * 5 * 5, dtype=np.float32).reshape(6, 2, 5, 5)
    out = RandomCrop(5, padding=2, generator=_g(0))(x)
    assert out.shape == (6, 2, 5, 5)
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    offsets = set()
    for n in range(6):
        hits = [
            (i, j)
            for i in range(5)
            for j in range(5)
            if np.array_equal(padded[n, :, i : i + 5, j : j + 5], out[n])
        ]
        assert hits, f"sample {n} is not a crop of its padded image"
        offsets.add(hits[0])
    assert len(offsets) > 1  # per-sample offsets, not one offset for the whole batch


def test_random_crop_is_reproducible_and_keeps_tensor_type() -> None:
    x = tt.from_numpy(np.arange(3 * 1 * 8 * 8, dtype=np.float32).reshape(3, 1, 8, 8))
    a = RandomCrop(4, generator=_g(5))(x)
    b = RandomCrop(4, generator=_g(5))(x)
    assert isinstance(a, tt.Tensor)
    assert a.shape == (3, 1, 4, 4)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    tt.manual_seed(2)
    c = RandomCrop(4)(x)
    tt.manual_seed(2)
    np.testing.assert_array_equal(RandomCrop(4)(x).numpy(), c.numpy())


def test_random_crop_single_image_padding_modes_and_errors() -> None:
    img = np.arange(9, dtype=np.float32).reshape(1, 3, 3)
    out = RandomCrop((3, 3), padding=(1, 0), padding_mode="edge", generator=_g(1))(img)
    assert out.shape == (1, 3, 3)
    assert RandomCrop(5, pad_if_needed=True, generator=_g(0))(img).shape == (1, 5, 5)
    with pytest.raises(ValueError, match="larger than input image size"):
        RandomCrop(4)(img)
    with pytest.raises(ValueError, match="Padding mode should be"):
        RandomCrop(2, padding_mode="wrap")


def test_random_horizontal_flip_per_sample_in_a_batch() -> None:
    x = np.arange(64 * 1 * 1 * 3, dtype=np.float32).reshape(64, 1, 1, 3)
    out = RandomHorizontalFlip(generator=_g(3))(x)
    flipped = np.array([np.array_equal(out[n], x[n, ..., ::-1]) for n in range(64)])
    kept = np.array([np.array_equal(out[n], x[n]) for n in range(64)])
    assert np.all(flipped | kept)
    assert flipped.any()
    assert kept.any()
    assert np.array_equal(RandomHorizontalFlip(p=0.0)(x), x)
    with pytest.raises(ValueError, match="RandomHorizontalFlip: p should be in"):
        RandomHorizontalFlip(p=1.5)


def test_random_erasing_erases_one_rectangle_per_sample() -> None:
    x = np.ones((32, 3, 16, 16), np.float32)
    out = RandomErasing(p=1.0, value=0, generator=_g(4))(x)
    for n in range(32):
        zero = out[n, 0] == 0
        assert np.array_equal(zero, (out[n] == 0).all(axis=0))  # same box in every channel
        if zero.any():
            rows, cols = np.nonzero(zero)
            box = zero[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
            assert box.all()  # a filled rectangle
            area = box.size / (16 * 16)
            assert 0.02 * 0.8 <= area <= 0.33 * 1.25  # scale range, up to rounding of h and w
    assert (out == 0).any(axis=(1, 2, 3)).mean() > 0.8


def test_random_erasing_value_forms_and_single_image() -> None:
    x = np.ones((3, 10, 10), np.float32)
    out = RandomErasing(p=1.0, value=(0.1, 0.2, 0.3), generator=_g(0))(x)
    assert out.shape == x.shape
    assert np.isclose(out[1][out[0] != 1], 0.2).all()
    noisy = RandomErasing(p=1.0, value="random", generator=_g(0))(tt.from_numpy(x))
    assert isinstance(noisy, tt.Tensor)
    assert (noisy.numpy() != 1).any()
    assert np.array_equal(RandomErasing(p=0.0)(x), x)
    with pytest.raises(ValueError, match="should be 'random'"):
        RandomErasing(value="noise")
    with pytest.raises(ValueError, match="either a single value or 3"):
        RandomErasing(p=1.0, value=(1.0, 2.0))(x)


def test_random_erasing_inplace_on_tensor() -> None:
    x = tt.ones(2, 1, 8, 8)
    out = RandomErasing(p=1.0, inplace=True, generator=_g(1))(x)
    assert out is x
    assert (x.numpy() == 0).any()
