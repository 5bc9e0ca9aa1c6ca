"""Where tt and PyTorch legitimately differ.

Each test asserts tt's documented behaviour AND PyTorch's, so a change on either side shows up
here instead of silently turning a difference into (or out of) parity.  The other modules leave
exactly these cases out of their sweeps and point here."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tt_tensor as tt

pytestmark = pytest.mark.parity


def test_repr_shows_shape_and_dtype():
    # tt prints the shape and dtype of every tensor (a learner debugging shapes wants them);
    # PyTorch prints neither for float32 tensors.
    assert (
        repr(tt.tensor([1.0, 2.5]))
        == "tensor([1.0000, 2.5000], shape=(2,), dtype=tt_tensor.float32)"
    )
    assert repr(torch.tensor([1.0, 2.5])) == "tensor([1.0000, 2.5000])"


def test_random_streams_differ():
    # Same seed, same distribution, different numbers: tt samples with NumPy's PCG64, PyTorch
    # with its own Mersenne Twister.  Each library is reproducible on its own.
    a = tt.rand(4, generator=tt.Generator().manual_seed(0))
    b = tt.rand(4, generator=tt.Generator().manual_seed(0))
    c = torch.rand(4, generator=torch.Generator().manual_seed(0))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.allclose(a.numpy(), c.numpy())


def test_flip_is_a_view():
    # tt's flip is a view with negative strides (no copy); PyTorch copies.
    x, y = tt.arange(4), torch.arange(4)
    x.flip(0)[0] = 100
    y.flip(0)[0] = 100
    assert x.tolist() == [0, 1, 2, 100]
    assert y.tolist() == [0, 1, 2, 3]


def test_nested_list_index_is_one_index_array():
    # NumPy's (and tt's) rule: a nested list is one integer array.  PyTorch keeps NumPy's old
    # rule, where a list holding sequences is a tuple of indices.
    # (PyTorch warns that it will adopt the NumPy rule.)
    assert tuple(tt.zeros(3, 4)[[[0, 1], [2, 0]]].shape) == (2, 2, 4)
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        assert tuple(torch.zeros(3, 4)[[[0, 1], [2, 0]]].shape) == (2,)


def test_no_degrees_of_freedom_warning():
    # var/std with n - correction <= 0: both give nan/inf, only PyTorch warns.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(tt.tensor([1.0]).var().item())
        with pytest.raises(UserWarning, match="degrees of freedom"):
            torch.tensor([1.0]).var()


def test_uint8_index_tensor_is_a_mask_without_a_warning():
    # Both read a uint8 index tensor as a mask; PyTorch warns that this is deprecated.
    mask = [1, 0, 1]
    assert tt.arange(3)[tt.tensor(mask, dtype=tt.uint8)].tolist() == [0, 2]
    with pytest.warns(UserWarning, match="deprecated"):
        assert torch.arange(3)[torch.tensor(mask, dtype=torch.uint8)].tolist() == [0, 2]


def test_where_with_a_uint8_condition_without_a_warning():
    # Both read a uint8 condition as a mask; PyTorch warns that this is deprecated (tt does
    # not warn, as for uint8 index tensors above).
    mask = [1, 0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = tt.where(tt.tensor(mask, dtype=tt.uint8), tt.ones(3), tt.zeros(3))
    assert got.tolist() == [1.0, 0.0, 1.0]
    with pytest.warns(UserWarning, match="deprecated"):
        want = torch.where(torch.tensor(mask, dtype=torch.uint8), torch.ones(3), torch.zeros(3))
    assert want.tolist() == [1.0, 0.0, 1.0]


def test_tensor_class_cannot_be_called():
    # tt.Tensor() raises and points to the creation functions; torch.Tensor() is an empty
    # float32 tensor (a legacy constructor).
    with pytest.raises(TypeError, match=r"tt_tensor\.tensor"):
        tt.Tensor()
    assert torch.Tensor().shape == (0,)


def test_error_types_that_differ():
    # tt validates arguments before computing and raises RuntimeError or TypeError; PyTorch
    # raises NotImplementedError when its kernel lookup finds no kernel for the dtype (also
    # written next to each check_raises(types=...) in the other modules).
    with pytest.raises(RuntimeError):
        tt.ones(2) & tt.ones(2)
    with pytest.raises(NotImplementedError):
        torch.ones(2) & torch.ones(2)
    with pytest.raises(RuntimeError):
        tt.ones(2, 2, dtype=tt.bool) @ tt.ones(2, 2, dtype=tt.bool)
    with pytest.raises(NotImplementedError):
        torch.ones(2, 2, dtype=torch.bool) @ torch.ones(2, 2, dtype=torch.bool)


def test_numpy_warnings_of_out_of_place_add_sub_mul():
    # tt's out-of-place add/sub/mul do not silence NumPy's floating-point warnings (silencing
    # costs about a microsecond on the hottest ops; see tt_tensor.elementwise): inf - inf gives
    # the same nan as PyTorch, plus a RuntimeWarning.  PyTorch never warns.
    inf = float("inf")
    with pytest.warns(RuntimeWarning, match="invalid value"):
        assert np.isnan((tt.tensor([inf]) - tt.tensor([inf])).item())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan((torch.tensor([inf]) - torch.tensor([inf])).item())
        assert np.isnan((tt.tensor([inf]) / tt.tensor([inf])).item())  # division is quiet


@pytest.mark.filterwarnings("ignore:The use of `x.T`:UserWarning")
def test_T_of_a_tensor_that_is_not_2d():
    # Both reverse every dim; PyTorch deprecates it (warns once per process, future error),
    # tt keeps it without a warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tt.zeros(2, 3, 4).T.shape == (4, 3, 2)
    assert torch.zeros(2, 3, 4).T.shape == (4, 3, 2)


def test_creation_leniencies_kept_from_the_first_release():
    # Kept because tt's own tests assert them (a versioning decision, not a bug fix): zeros()
    # with no size is 0-d, rand_like/randn_like of an integer tensor sample float32, and a
    # negative seed raises.  PyTorch raises, raises, and wraps the seed to 2**64 + seed.
    assert tt.zeros().shape == ()
    with pytest.raises(TypeError):
        torch.zeros()
    assert tt.rand_like(tt.zeros(2, dtype=tt.int64)).dtype is tt.float32
    with pytest.raises(NotImplementedError):
        torch.rand_like(torch.zeros(2, dtype=torch.int64))
    with pytest.raises(RuntimeError, match="non-negative"):
        tt.Generator().manual_seed(-1)
    assert torch.Generator().manual_seed(-1).initial_seed() == 2**64 - 1


def test_like_constructors_do_not_keep_a_transposed_layout():
    # PyTorch's *_like (memory_format=preserve_format) keep a dense input's strides; tt's
    # allocate row-major.  Values and shapes agree.
    assert tt.zeros_like(tt.zeros(2, 3).t()).stride() == (2, 1)
    assert torch.zeros_like(torch.zeros(2, 3).t()).stride() == (1, 3)
