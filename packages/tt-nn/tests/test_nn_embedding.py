"""Embedding: lookup values, gradients (gradcheck, float64; repeated indices accumulate;
padding rows get none), initialisation, from_pretrained, max_norm and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tt_autograd as ag
import tt_tensor as tt
from tt_nn.functional.sparse import embedding
from tt_nn.modules.sparse import Embedding


def present(t: tt.Tensor | None) -> tt.Tensor:
    """``t``, which the test expects to exist (a buffer, parameter or gradient)."""
    assert t is not None
    return t


def table(rows: int = 6, dim: int = 3, seed: int = 0) -> tt.Tensor:
    rng = np.random.default_rng(seed)
    return tt.from_numpy(rng.standard_normal((rows, dim))).requires_grad_()


IDX = tt.tensor([[1, 4, 1], [0, 5, 1]])


def test_lookup_returns_the_indexed_rows() -> None:
    w = table()
    np.testing.assert_array_equal(
        embedding(IDX, w).detach().numpy(), w.detach().numpy()[IDX.numpy()]
    )


def test_lookup_shape_appends_embedding_dim() -> None:
    assert embedding(tt.tensor(2), table()).shape == (3,)
    assert embedding(IDX, table()).shape == (2, 3, 3)
    assert embedding(tt.tensor([1, 2], dtype=tt.int32), table()).shape == (2, 3)


def test_embedding_gradients_match_finite_differences() -> None:
    assert ag.gradcheck(lambda w: embedding(IDX, w), [table()])


def test_embedding_gradients_with_padding_idx_match_finite_differences() -> None:
    # padding row 1 occurs three times: its gradient is zero, and so is the true derivative of
    # the function gradcheck sees (the row's values pass through, but cut out of the graph)
    w = table()

    def f(w: tt.Tensor) -> tt.Tensor:
        return embedding(IDX, w, padding_idx=1) * (IDX != 1).to(tt.float64).unsqueeze(-1)

    assert ag.gradcheck(f, [w])


def test_repeated_indices_accumulate_their_gradients() -> None:
    w = table()
    g = np.random.default_rng(1).standard_normal((2, 3, 3))
    embedding(IDX, w).backward(tt.from_numpy(g))
    want = np.zeros((6, 3))
    np.add.at(want, IDX.numpy(), g)
    np.testing.assert_allclose(present(w.grad).numpy(), want, rtol=1e-12)
    assert np.allclose(present(w.grad).numpy()[1], g[0, 0] + g[0, 2] + g[1, 2])


def test_padding_row_gets_no_gradient_but_its_value_is_returned() -> None:
    w = table()
    out = embedding(IDX, w, padding_idx=-5)  # row 1
    np.testing.assert_array_equal(out.detach().numpy(), w.detach().numpy()[IDX.numpy()])
    out.sum().backward()
    assert present(w.grad).numpy()[1].tolist() == [0.0, 0.0, 0.0]
    assert present(w.grad).numpy()[4].tolist() == [1.0, 1.0, 1.0]


def test_scale_grad_by_freq_divides_each_rows_gradient_by_its_count() -> None:
    w = table()
    embedding(IDX, w, scale_grad_by_freq=True).sum().backward()
    # row 1 occurs 3 times: 3 gradients of 1, divided by 3
    np.testing.assert_allclose(present(w.grad).numpy()[:, 0], [1.0, 1.0, 0.0, 0.0, 1.0, 1.0])


def test_max_norm_renormalizes_the_looked_up_rows_in_place() -> None:
    w = tt.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    out = embedding(tt.tensor([0, 1]), w, max_norm=1.0)
    np.testing.assert_allclose(out.numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    np.testing.assert_allclose(w.detach().numpy()[0], [0.6, 0.8], rtol=1e-6)  # changed in place
    assert w.detach().numpy()[2].tolist() == [6.0, 8.0]  # not looked up: untouched


def test_module_init_is_standard_normal_with_zero_padding_row() -> None:
    tt.manual_seed(0)
    emb = Embedding(2000, 8, padding_idx=-1)
    assert emb.padding_idx == 1999
    w = emb.weight.detach().numpy()
    assert w[1999].tolist() == [0.0] * 8
    assert abs(w[:1999].mean()) < 0.02
    assert abs(w[:1999].std() - 1.0) < 0.02
    assert emb.weight.requires_grad
    assert emb.weight.dtype == tt.float32


def test_module_init_uses_the_default_generator() -> None:
    tt.manual_seed(7)
    a = Embedding(4, 3).weight.detach().numpy().copy()
    tt.manual_seed(7)
    np.testing.assert_array_equal(Embedding(4, 3).weight.detach().numpy(), a)


def test_module_padding_row_stays_put_under_training() -> None:
    emb = Embedding(5, 2, padding_idx=0)
    emb(tt.tensor([0, 3, 0])).sum().backward()
    assert emb.weight.grad is not None
    assert present(emb.weight.grad).numpy()[0].tolist() == [0.0, 0.0]
    assert present(emb.weight.grad).numpy()[3].tolist() == [1.0, 1.0]


def test_from_pretrained_shares_the_table_and_freezes_it_by_default() -> None:
    pre = tt.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = Embedding.from_pretrained(pre)
    assert not emb.weight.requires_grad
    assert emb(tt.tensor([1, 0])).tolist() == [[3.0, 4.0], [1.0, 2.0]]
    pre[0, 0] = 9.0
    assert emb.weight[0, 0].item() == 9.0  # shared memory, like torch


def test_from_pretrained_unfrozen_trains_and_keeps_the_padding_row_values() -> None:
    emb = Embedding.from_pretrained(
        tt.tensor([[1.0, 2.0], [3.0, 4.0]]), freeze=False, padding_idx=0
    )
    assert emb.weight.requires_grad
    assert emb.weight[0].tolist() == [1.0, 2.0]  # not zeroed
    emb(tt.tensor([0, 1])).sum().backward()
    assert emb.weight.grad is not None
    assert present(emb.weight.grad).tolist() == [[0.0, 0.0], [1.0, 1.0]]


def test_state_dict_holds_the_weight() -> None:
    assert list(Embedding(3, 2).state_dict()) == ["weight"]


def test_repr_shows_the_settings_like_torch() -> None:
    assert repr(Embedding(3, 4, padding_idx=1)) == "Embedding(3, 4, padding_idx=1)"
    assert repr(Embedding(3, 4, max_norm=1.0)) == "Embedding(3, 4, max_norm=1.0)"


@pytest.mark.parametrize("bad", [6, -1, 100])
def test_index_out_of_range_raises_index_error(bad: int) -> None:
    with pytest.raises(IndexError, match=f"embedding: index out of range in self: index {bad}"):
        embedding(tt.tensor([0, bad]), table())


def test_float_indices_raise_runtime_error() -> None:
    with pytest.raises(RuntimeError, match=r"expected indices .* int64 or int32, got float32"):
        embedding(tt.tensor([1.0]), table())


def test_weight_must_be_two_dimensional() -> None:
    with pytest.raises(RuntimeError, match="'weight' must be 2-D"):
        embedding(tt.tensor([1]), tt.randn(4))
    with pytest.raises(AssertionError, match="expected to be 2-dimensional"):
        Embedding.from_pretrained(tt.randn(4))


@pytest.mark.parametrize("pad", [10, -11])
def test_padding_idx_out_of_range_raises_assertion_error_like_torch(pad: int) -> None:
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        Embedding(10, 3, padding_idx=pad)


def test_sparse_gradients_are_not_supported() -> None:
    with pytest.raises(NotImplementedError, match="sparse=True"):
        Embedding(3, 2, sparse=True)
