"""Parity with PyTorch: ``embedding`` and ``Embedding``.

The same table is used in both libraries; outputs, weight gradients (repeated indices,
padding rows, ``scale_grad_by_freq``), the in-place renormalisation of ``max_norm`` and the
errors on bad input are compared."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import tt_tensor as tt
from tt_nn.functional.sparse import embedding
from tt_nn.modules.sparse import Embedding

pytestmark = pytest.mark.parity

IDX = np.array([[1, 4, 1, 7], [0, 5, 1, 4]], dtype=np.int64)


def emb_fn(m: Any) -> Any:
    return embedding if m is tt else torch.nn.functional.embedding


def emb_cls(m: Any) -> Any:
    return Embedding if m is tt else torch.nn.Embedding


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("padding_idx", [None, 1, -4, 3])
def test_embedding_output_and_weight_gradient_match_torch(
    check: Callable[..., Any], rand: Callable[..., Any], dtype: str, padding_idx: int | None
) -> None:
    check(
        lambda m, w, i: emb_fn(m)(i, w, padding_idx=padding_idx),
        rand(8, 3, dtype=dtype),
        IDX,
        grad=True,
    )


@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
def test_embedding_accepts_int32_and_0d_indices_like_torch(
    check: Callable[..., Any], rand: Callable[..., Any], index_dtype: str
) -> None:
    check(lambda m, w, i: emb_fn(m)(i, w), rand(8, 3), IDX.astype(index_dtype), grad=True)
    check(lambda m, w, i: emb_fn(m)(i, w), rand(8, 3), np.array(5), grad=True)


def test_scale_grad_by_freq_matches_torch(
    check: Callable[..., Any], rand: Callable[..., Any]
) -> None:
    check(
        lambda m, w, i: emb_fn(m)(i, w, padding_idx=0, scale_grad_by_freq=True),
        rand(8, 3, dtype="float64"),
        IDX,
        grad=True,
    )


@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_max_norm_renormalises_the_table_in_place_like_torch(
    check: Callable[..., Any], rand: Callable[..., Any], norm_type: float
) -> None:
    def expr(m: Any, w: Any, i: Any) -> Any:
        table = w.detach().clone()  # renormalised in place: not a leaf that requires grad
        out = emb_fn(m)(i, table, max_norm=1.2, norm_type=norm_type)
        return out, table

    check(expr, rand(8, 3, dtype="float64"), IDX)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_embedding_module_training_steps_match_torch(dtype: str) -> None:
    rng = np.random.default_rng(0)
    w = rng.standard_normal((8, 3)).astype(dtype)
    a = Embedding.from_pretrained(tt.from_numpy(w.copy()), freeze=False, padding_idx=2)
    b = torch.nn.Embedding.from_pretrained(  # type: ignore[no-untyped-call]
        torch.from_numpy(w.copy()), freeze=False, padding_idx=2
    )
    assert a.padding_idx == b.padding_idx
    assert repr(a) == repr(b)
    for step in range(3):
        i = rng.integers(0, 8, (3, 5))
        g = rng.standard_normal((3, 5, 3)).astype(dtype)
        ya, yb = a(tt.from_numpy(i)), b(torch.from_numpy(i))
        np.testing.assert_array_equal(ya.detach().numpy(), yb.detach().numpy())
        (ya * tt.from_numpy(g)).sum().backward()
        (yb * torch.from_numpy(g)).sum().backward()
        assert a.weight.grad is not None
        assert b.weight.grad is not None
        # sums of up to 15 gradients in a different order: float32 rounding only
        rtol = 1e-6 if dtype == "float32" else 1e-13
        np.testing.assert_allclose(
            a.weight.grad.numpy(), b.weight.grad.numpy(), rtol=rtol, atol=rtol, err_msg=str(step)
        )


def test_module_attributes_and_state_match_torch() -> None:
    settings: list[dict[str, Any]] = [{}, {"padding_idx": -1}, {"max_norm": 2.0, "norm_type": 1.0}]
    for kwargs in settings:
        a, b = Embedding(6, 4, **kwargs), torch.nn.Embedding(6, 4, **kwargs)
        assert repr(a) == repr(b)
        assert a.padding_idx == b.padding_idx
        assert list(a.state_dict()) == list(b.state_dict())
        assert a.weight.requires_grad == b.weight.requires_grad
        assert a.weight.dtype.name == str(b.weight.dtype).removeprefix("torch.")
    frozen_a = Embedding.from_pretrained(tt.ones(2, 3))
    frozen_b = torch.nn.Embedding.from_pretrained(torch.ones(2, 3))  # type: ignore[no-untyped-call]
    assert frozen_a.weight.requires_grad == frozen_b.weight.requires_grad is False


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("bad", [8, -1, 100])
def test_index_out_of_range_raises_index_error_like_torch(
    check_raises: Callable[..., Any], rand: Callable[..., Any], bad: int
) -> None:
    e_tt, _ = check_raises(
        lambda m, w, i: emb_fn(m)(i, w), rand(8, 3), np.array([0, bad], dtype=np.int64)
    )
    assert "embedding" in str(e_tt)
    assert str(bad) in str(e_tt)
    assert "8" in str(e_tt)


def test_float_indices_raise_like_torch(
    check_raises: Callable[..., Any], rand: Callable[..., Any]
) -> None:
    e_tt, _ = check_raises(lambda m, w, i: emb_fn(m)(i, w), rand(8, 3), rand(2))
    assert "embedding" in str(e_tt)
    assert "float32" in str(e_tt)


def test_weight_of_wrong_rank_raises_like_torch(
    check_raises: Callable[..., Any], rand: Callable[..., Any]
) -> None:
    check_raises(lambda m, w, i: emb_fn(m)(i, w), rand(8), IDX)


@pytest.mark.parametrize("pad", [8, -9])
def test_padding_idx_out_of_range_raises_like_torch(
    check_raises: Callable[..., Any], rand: Callable[..., Any], pad: int
) -> None:
    check_raises(lambda m: emb_cls(m)(8, 3, padding_idx=pad))
    check_raises(lambda m, w, i: emb_fn(m)(i, w, padding_idx=pad), rand(8, 3), IDX)


def test_from_pretrained_needs_a_matrix_like_torch(
    check_raises: Callable[..., Any], rand: Callable[..., Any]
) -> None:
    check_raises(lambda m, w: emb_cls(m).from_pretrained(w), rand(8))
