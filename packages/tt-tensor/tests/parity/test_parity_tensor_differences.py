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


def test_view_with_a_dtype_converts():
    # tt's t.view(dtype) is t.to(dtype) (converts the values); PyTorch reinterprets the bits.
    assert tt.tensor([1.0, 2.0]).view(tt.int32).tolist() == [1, 2]
    assert torch.tensor([1.0, 2.0]).view(torch.int32).tolist() == [1065353216, 1073741824]


def test_uint8_clamp_with_a_negative_bound():
    # PyTorch converts the bound to uint8 first (-2 wraps to 254); tt compares mathematically.
    x = [0, 3, 200]
    assert tt.tensor(x, dtype=tt.uint8).clamp(-2).tolist() == [0, 3, 200]
    assert torch.tensor(x, dtype=torch.uint8).clamp(-2).tolist() == [254, 254, 254]


def test_softmax_of_a_row_holding_inf():
    # PyTorch's fused kernels turn the whole row into nan; tt's composite gives nan only where
    # the input is inf (inf - inf) and 0 (log_softmax: -inf) elsewhere.
    row = [float("inf"), 0.0, 1.0]
    got = tt.tensor(row).softmax(0).tolist()
    assert np.isnan(got[0])
    assert got[1:] == [0.0, 0.0]
    assert torch.tensor(row).softmax(0).isnan().all()
    with np.errstate(all="ignore"):
        got = tt.tensor(row).log_softmax(0).tolist()
    assert np.isnan(got[0])
    assert got[1:] == [-np.inf, -np.inf]
    assert torch.tensor(row).log_softmax(0).isnan().all()


def test_nested_list_index_is_one_index_array():
    # NumPy's (and tt's) rule: a nested list is one integer array.  PyTorch keeps NumPy's old
    # rule, where a list holding sequences is a tuple of indices.
    # (PyTorch warns that it will adopt the NumPy rule.)
    assert tuple(tt.zeros(3, 4)[[[0, 1], [2, 0]]].shape) == (2, 2, 4)
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        assert tuple(torch.zeros(3, 4)[[[0, 1], [2, 0]]].shape) == (2,)


def test_setitem_converts_values_under_advanced_indices():
    # tt converts the value to the tensor's dtype for every index; PyTorch does for basic
    # indices only and refuses another dtype under an integer or bool index.
    x = tt.zeros(3)
    x[tt.tensor([0, 2])] = tt.tensor([1, 2])
    assert x.tolist() == [1.0, 0.0, 2.0]
    y = torch.zeros(3)
    with pytest.raises(RuntimeError, match="dtypes match"):
        y[torch.tensor([0, 2])] = torch.tensor([1, 2])


def test_arange_with_a_fractional_step_into_an_integer_dtype():
    # tt computes the values in float64 and converts them; PyTorch converts the step first.
    assert tt.arange(1, 2.5, 0.5, dtype=tt.int32).tolist() == [1, 1, 2]
    assert torch.arange(1, 2.5, 0.5, dtype=torch.int32).tolist() == [1, 1, 1]


def test_all_any_with_an_empty_dim_tuple():
    # tt reads dim=() as "every dim" for all reductions; PyTorch's all/any do not reduce then
    # (while its sum/mean/amax reduce everything, as tt does).
    assert tt.ones(2, 3).any(()).shape == ()
    assert torch.ones(2, 3).any(()).shape == (2, 3)
    assert torch.ones(2, 3).sum(()).shape == ()


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
