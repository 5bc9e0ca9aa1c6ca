"""The :class:`Tensor`: an n-dimensional array with PyTorch's names and semantics.

A tensor owns (or views) one NumPy array, ``_data``.  Everything else here is bookkeeping:

* ``_vc`` is the *version counter*, a one-element list shared by a tensor and all views of it.
  Every in-place write bumps it, so a saved tensor can tell it was modified after being saved.
* ``requires_grad``, ``grad``, ``grad_fn`` are the autograd fields.  They live here (as in
  PyTorch's ``TensorImpl``) but their meaning is supplied by a gradient engine registered through
  :mod:`tt_tensor.dispatch`; without one, asking for gradients raises a clear error.
* ``_base`` is the tensor a view was made from (``None`` for tensors that own their memory).

Methods are thin: each calls the function of the same name in the op modules, which run the
primitive through :func:`tt_tensor.dispatch.dispatch`.

Memory: a tensor costs one Python object (about 100 bytes) plus its array; views share the array.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Sequence
from operator import attrgetter as _attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from . import dtypes as _dt

if TYPE_CHECKING:
    from .dispatch import Handle

__all__ = ["Size", "Tensor"]

Scalar = int | float | bool


class Size(tuple[int, ...]):
    """A tensor's shape: a tuple of ints (``torch.Size``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"tt_tensor.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n


class Tensor:
    """An n-dimensional array of one dtype, with gradient tracking fields.

    Create tensors with :func:`tt_tensor.tensor`, :func:`tt_tensor.zeros` and friends, not with
    this class directly.

    >>> import tt_tensor as tt
    >>> t = tt.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> t.shape, t.dtype
    (tt_tensor.Size([2, 2]), tt_tensor.float32)
    >>> (t @ t).sum().item()
    54.0
    """

    __slots__ = (
        "__weakref__",
        "_base",
        "_data",
        "_grad",
        "_meta",
        "_requires_grad",
        "_vc",
        "grad_fn",
    )

    # NumPy must defer to our reflected operators (``ndarray + Tensor`` -> ``Tensor.__radd__``).
    __array_ufunc__ = None

    _data: np.ndarray[Any, Any]
    _vc: list[builtins.int]
    _requires_grad: builtins.bool
    _grad: Tensor | None
    grad_fn: Any
    _base: Tensor | None
    _meta: dict[str, Any] | None

    def __init__(self, data: Any = None) -> None:
        raise TypeError(
            "Tensor() cannot be constructed directly; use tt_tensor.tensor(data), "
            "tt_tensor.zeros(shape) or another creation function"
        )

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> Size:
        """The size of each dimension."""
        return Size(self._data.shape)

    def size(self, dim: builtins.int | None = None) -> Any:
        """``shape``, or the size of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_shape.norm_dim(dim, self._data.ndim, "size")]

    @property
    def dtype(self) -> _dt.DType:
        """The element type (a :class:`tt_tensor.DType`)."""
        return _dt._FROM_NP[self._data.dtype]

    @property
    def ndim(self) -> builtins.int:
        """The number of dimensions."""
        return self._data.ndim

    def dim(self) -> builtins.int:
        """The number of dimensions."""
        return self._data.ndim

    def numel(self) -> builtins.int:
        """The number of elements."""
        return int(self._data.size)

    nelement = numel

    @property
    def nbytes(self) -> builtins.int:
        """Bytes the elements occupy (``numel * itemsize``)."""
        return int(self._data.nbytes)

    @property
    def itemsize(self) -> builtins.int:
        """Bytes per element."""
        return int(self._data.itemsize)

    def element_size(self) -> builtins.int:
        """Bytes per element."""
        return int(self._data.itemsize)

    def stride(self, dim: builtins.int | None = None) -> Any:
        """Steps, in elements, between neighbours along each dimension (0 for expanded dims).
        A new tensor with no elements reports row-major strides, as PyTorch does (NumPy's
        are 0); an empty view reports NumPy's."""
        st = self.strides
        if dim is None:
            return st
        return st[_shape.norm_dim(dim, self._data.ndim, "stride")]

    @property
    def strides(self) -> tuple[builtins.int, ...]:
        """Same as :meth:`stride` with no argument."""
        a = self._data
        if a.size == 0 and self._base is None:  # PyTorch's: each size counted as >= 1
            st, acc = [], 1
            for n in reversed(a.shape):
                st.append(acc)
                acc *= builtins.max(n, 1)
            return tuple(reversed(st))
        return tuple(s // a.itemsize for s in a.strides)

    def is_contiguous(self) -> builtins.bool:
        """Whether the elements lie in row-major order with no gaps."""
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self) -> builtins.bool:
        """Whether the dtype is a floating-point type."""
        return builtins.bool(self._data.dtype.kind == "f")

    def is_signed(self) -> builtins.bool:
        """Whether the dtype holds negative values (not bool or uint8)."""
        return builtins.bool(self._data.dtype.kind in "if")

    def is_complex(self) -> builtins.bool:
        """Always ``False`` (there are no complex dtypes); kept for PyTorch parity."""
        return False

    @property
    def device(self) -> str:
        """Always ``"cpu"``."""
        return "cpu"

    @property
    def is_cuda(self) -> builtins.bool:
        """Always ``False``."""
        return False

    @property
    def _version(self) -> builtins.int:
        """How many in-place writes this tensor (or a view sharing its memory) has seen."""
        return self._vc[0]

    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's memory, outside the autograd graph, with a version
        counter of its own (as PyTorch): in-place writes through it are not seen by autograd's
        checks of saved tensors."""
        return _make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    def _set_grad(self, value: Tensor | None) -> None:
        if value is None:  # first: ``p.grad = None`` runs for every parameter at every step
            self._grad = None
            return
        if not isinstance(value, Tensor):
            raise TypeError(
                "assigned grad expected to be a Tensor or None but got grad of type "
                f"{type(value).__name__}"
            )
        if value._data.shape != self._data.shape or value._data.dtype != self._data.dtype:
            _raise_bad_grad(self, value)
        self._grad = value

    if TYPE_CHECKING:

        @property
        def grad(self) -> Tensor | None:
            """The accumulated gradient (``None`` until a backward reaches this tensor)."""

        @grad.setter
        def grad(self, value: Tensor | None) -> None: ...

    else:
        # Read through a C-level getter (no Python frame: optimizers read it every step);
        # assignment checks the size and dtype (``_set_grad``), as PyTorch does.
        grad = property(
            _attrgetter("_grad"),
            _set_grad,
            doc="The accumulated gradient (``None`` until a backward reaches this tensor).",
        )

    # ------------------------------------------------------------------ conversions
    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"item: a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return self._data.tolist()

    def numpy(self, *, force: builtins.bool = False) -> np.ndarray[Any, Any]:
        """The underlying NumPy array (shared memory, no copy)."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self._data

    def __array__(
        self, dtype: Any = None, copy: builtins.bool | None = None
    ) -> np.ndarray[Any, Any]:
        arr = self.numpy()
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def __len__(self) -> builtins.int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return int(self._data.shape[0])

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> builtins.bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self) -> builtins.float:
        return float(self.item())

    def __int__(self) -> builtins.int:
        return int(self.item())

    def __index__(self) -> builtins.int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    # Tensors hash by identity (``==`` is elementwise), so they can key dicts and sets.
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return _format.tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return format(self.item(), spec)
        return repr(self)

    def __deepcopy__(self, memo: dict[builtins.int, Any]) -> Tensor:
        out = self.detach().clone()
        if self._requires_grad:
            out.requires_grad_(True)
        memo[id(self)] = out
        return out

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Convert to a dtype: ``t.to(tt.float64)``.  A device (``"cpu"``) is accepted and
        ignored, so device-aware PyTorch code runs unchanged.  Returns ``self`` when nothing
        changes, like PyTorch."""
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        copy = kwargs.pop("copy", False)
        if kwargs:
            raise TypeError(f"to: unexpected arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif (isinstance(a, str) and a.split(":")[0] in ("cpu", "meta")) or a is None:
                continue
            else:
                dtype = a
        if dtype is None:
            return self.clone() if copy else self
        np_dt = _dt.to_numpy_dtype(dtype, "to")
        if np_dt == self._data.dtype and not copy:
            return self
        return _ew.cast(self, np_dt)

    def cpu(self) -> Tensor:
        """Return ``self`` (tensors always live on the CPU)."""
        return self

    def type(self, dtype: Any = None) -> Any:
        """With no argument, the tensor type's name in PyTorch's scheme
        (``'tt_tensor.FloatTensor'`` where PyTorch says ``'torch.FloatTensor'``); else
        :meth:`to` that dtype, also given by such a name (``t.type('torch.LongTensor')``)."""
        if dtype is None:
            return f"tt_tensor.{_TYPE_NAMES[self.dtype.name]}"
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            name = dtype.rsplit(".", 1)[-1]
            found = [k for k, v in _TYPE_NAMES.items() if v == name]
            if not found:
                raise TypeError(f"type: invalid type {dtype!r}")
            dtype = found[0]
        return self.to(dtype)

    def float(self) -> Tensor:
        """Convert to float32."""
        return self.to(_dt.float32)

    def double(self) -> Tensor:
        """Convert to float64."""
        return self.to(_dt.float64)

    def half(self) -> Tensor:
        """Convert to float16."""
        return self.to(_dt.float16)

    def long(self) -> Tensor:
        """Convert to int64."""
        return self.to(_dt.int64)

    def int(self) -> Tensor:
        """Convert to int32."""
        return self.to(_dt.int32)

    def short(self) -> Tensor:
        """Convert to int16."""
        return self.to(_dt.int16)

    def char(self) -> Tensor:
        """Convert to int8."""
        return self.to(_dt.int8)

    def byte(self) -> Tensor:
        """Convert to uint8."""
        return self.to(_dt.uint8)

    def bool(self) -> Tensor:
        """Convert to bool."""
        return self.to(_dt.bool_)

    def type_as(self, other: Tensor) -> Tensor:
        """Convert to ``other``'s dtype."""
        return self.to(other.dtype)

    # ------------------------------------------------------------------ new tensors like self
    # PyTorch's ``new_*``: a new tensor with this one's dtype (unless ``dtype`` is given), not
    # its shape; each costs what the creation function it calls costs (new memory).
    def new_zeros(self, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        """Zeros of shape ``size`` with this tensor's dtype."""
        return _creation.zeros(*size, dtype=dtype or self.dtype, **kwargs)

    def new_ones(self, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        """Ones of shape ``size`` with this tensor's dtype."""
        return _creation.ones(*size, dtype=dtype or self.dtype, **kwargs)

    def new_empty(self, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        """An uninitialised tensor of shape ``size`` with this tensor's dtype."""
        return _creation.empty(*size, dtype=dtype or self.dtype, **kwargs)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, **kwargs: Any) -> Tensor:
        """``fill_value`` in shape ``size``, with this tensor's dtype."""
        return _creation.full(size, fill_value, dtype=dtype or self.dtype, **kwargs)

    def new_tensor(self, data: Any, *, dtype: Any = None, **kwargs: Any) -> Tensor:
        """A copy of ``data`` (see :func:`tt_tensor.tensor`) with this tensor's dtype."""
        return _creation.tensor(data, dtype=dtype or self.dtype, **kwargs)

    # ------------------------------------------------------------------ autograd fields
    @property
    def requires_grad(self) -> builtins.bool:
        """Whether operations on this tensor are recorded for differentiation."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: builtins.bool) -> None:
        if flag == self._requires_grad:
            return
        _dispatch.get_engine("requires_grad").set_requires_grad(self, bool(flag))

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        """Set :attr:`requires_grad` in place and return ``self``."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> builtins.bool:
        """``True`` for tensors no recorded operation produced."""
        return self.grad_fn is None

    @property
    def retains_grad(self) -> builtins.bool:
        """Whether :meth:`retain_grad` was called on this non-leaf tensor."""
        return bool(self._meta and self._meta.get("retains_grad"))

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: builtins.bool | None = None,
        create_graph: builtins.bool = False,
        inputs: Sequence[Tensor] | None = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (needs a gradient engine)."""
        if inputs is not None:
            raise NotImplementedError("backward: the inputs= argument is not supported")
        engine = _dispatch.get_engine("backward")
        keep = create_graph if retain_graph is None else retain_graph
        engine.backward(self, gradient, bool(keep), bool(create_graph))

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        _dispatch.get_engine("retain_grad").retain_grad(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Handle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
        replaces the gradient."""
        return _dispatch.get_engine("register_hook").register_hook(self, hook)

    def detach(self) -> Tensor:
        """A tensor sharing memory (and version counter) with this one, outside the graph."""
        out = _make(self._data)
        out._vc = self._vc
        return out

    def detach_(self) -> Tensor:
        """Remove this tensor from the graph in place (not allowed on a view: its base keeps
        the history)."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead (detach_ was called on a "
                "view: a slice, reshape, transpose, ... of another tensor)"
            )
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------ operators
    def __add__(self, other: Any) -> Tensor:
        return _ew.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ew.add(self, other)

    def __iadd__(self, other: Any) -> Tensor:
        return _ew.add_(self, other)

    def __sub__(self, other: Any) -> Tensor:
        return _ew.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ew.rsub(self, other)

    def __isub__(self, other: Any) -> Tensor:
        return _ew.sub_(self, other)

    def __mul__(self, other: Any) -> Tensor:
        return _ew.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ew.mul(self, other)

    def __imul__(self, other: Any) -> Tensor:
        return _ew.mul_(self, other)

    def __truediv__(self, other: Any) -> Tensor:
        return _ew.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ew.rdiv(self, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return _ew.div_(self, other)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ew.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ew.floor_divide(_ew.as_operand(other, self), self)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return _ew.floor_divide_(self, other)

    def __mod__(self, other: Any) -> Tensor:
        return _ew.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _ew.remainder(_ew.as_operand(other, self), self)

    def __imod__(self, other: Any) -> Tensor:
        return _ew.remainder_(self, other)

    def __pow__(self, other: Any) -> Tensor:
        return _ew.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ew.pow(_ew.as_operand(other, self), self)

    def __ipow__(self, other: Any) -> Tensor:
        return _ew.pow_(self, other)

    def __matmul__(self, other: Tensor) -> Tensor:
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _linalg.matmul(_ew.as_operand(other, self), self)

    def __neg__(self) -> Tensor:
        return _ew.neg(self)

    def __pos__(self) -> Tensor:
        if self._data.dtype.kind == "b":
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    def __abs__(self) -> Tensor:
        return _ew.abs(self)

    def __invert__(self) -> Tensor:
        return _ew.bitwise_not(self)

    def __and__(self, other: Any) -> Tensor:
        return _ew.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other: Any) -> Tensor:
        return _ew.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other: Any) -> Tensor:
        return _ew.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __iand__(self, other: Any) -> Tensor:
        return _ew.bitwise_inplace(_ew.BITWISE_AND, self, other)

    def __ior__(self, other: Any) -> Tensor:
        return _ew.bitwise_inplace(_ew.BITWISE_OR, self, other)

    def __ixor__(self, other: Any) -> Tensor:
        return _ew.bitwise_inplace(_ew.BITWISE_XOR, self, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ew.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ew.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _ew.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return _ew.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _ew.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _ew.ge(self, other)

    def __getitem__(self, index: Any) -> Tensor:
        return _indexing.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        _indexing.setitem(self, index, value)

    # ------------------------------------------------------------------ elementwise methods
    def add(self, other: Any, *, alpha: Scalar = 1) -> Tensor:
        """``self + alpha * other``."""
        return _ew.add_scaled("add", self, other, alpha)

    def sub(self, other: Any, *, alpha: Scalar = 1) -> Tensor:
        """``self - alpha * other``."""
        if alpha == 1:
            return _ew.sub(self, other)
        _ew._no_bool_sub(self, other)
        return _ew.add_scaled("sub", self, other, -alpha)

    def add_(self, other: Any, *, alpha: Scalar = 1) -> Tensor:
        """In-place ``self += alpha * other``."""
        return _ew.add_scaled_("add_", self, other, alpha)

    def sub_(self, other: Any, *, alpha: Scalar = 1) -> Tensor:
        """In-place ``self -= alpha * other``."""
        if alpha == 1:
            return _ew.sub_(self, other)
        _ew._no_bool_sub(self, other)
        return _ew.add_scaled_("sub_", self, other, -alpha)

    def mul(self, other: Any) -> Tensor:
        """``self * other``."""
        return _ew.mul(self, other)

    def mul_(self, other: Any) -> Tensor:
        """In-place ``self *= other``."""
        return _ew.mul_(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """``self / other`` (``rounding_mode="floor"`` gives ``//``, ``"trunc"`` rounds toward
        zero)."""
        if rounding_mode is None:
            return _ew.div(self, other)
        return _ew.div_op(self, other, rounding_mode=rounding_mode)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """In-place ``self /= other`` (with ``rounding_mode``, the rounded quotient)."""
        if rounding_mode is None:
            return _ew.div_(self, other)
        from . import indexing as _idx

        q = _ew.div_op(self, other, rounding_mode=rounding_mode)
        if q._data.dtype != self._data.dtype:
            raise RuntimeError(
                f"div_: result type {q.dtype.name} can't be cast to the desired output type "
                f"{self.dtype.name}"
            )
        return _idx.copy_(self, q)

    def pow_(self, exponent: Any) -> Tensor:
        """In-place ``self **= exponent``."""
        return _ew.pow_(self, exponent)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        """Move dim(s) ``source`` to position(s) ``destination`` (a view)."""
        return _shape.movedim(self, source, destination)

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent``."""
        return _ew.pow(self, exponent)

    def neg(self) -> Tensor:
        """``-self``."""
        return _ew.neg(self)

    def abs(self) -> Tensor:
        """``|self|``."""
        return _ew.abs(self)

    def exp(self) -> Tensor:
        """Elementwise e**x."""
        return _ew.exp(self)

    def log(self) -> Tensor:
        """Elementwise natural logarithm."""
        return _ew.log(self)

    def log1p(self) -> Tensor:
        """Elementwise log(1 + x), accurate for small x."""
        return _ew.log1p(self)

    def sqrt(self) -> Tensor:
        """Elementwise square root."""
        return _ew.sqrt(self)

    def rsqrt(self) -> Tensor:
        """Elementwise 1 / sqrt(x)."""
        return _ew.rsqrt(self)

    def sin(self) -> Tensor:
        """Elementwise sine."""
        return _ew.sin(self)

    def cos(self) -> Tensor:
        """Elementwise cosine."""
        return _ew.cos(self)

    def tanh(self) -> Tensor:
        """Elementwise hyperbolic tangent."""
        return _ew.tanh(self)

    def sigmoid(self) -> Tensor:
        """Elementwise logistic function 1 / (1 + e**-x)."""
        return _ew.sigmoid(self)

    def erf(self) -> Tensor:
        """Elementwise Gauss error function (see :func:`tt_tensor.erf`)."""
        return _ew.erf(self)

    def relu(self) -> Tensor:
        """Elementwise max(x, 0)."""
        return _ew.relu(self)

    def sign(self) -> Tensor:
        """Elementwise sign (-1, 0 or 1)."""
        return _ew.sign(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit values to ``[min, max]``."""
        return _ew.clamp(self, min, max)

    clip = clamp

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """In-place :meth:`clamp`."""
        return _ew.clamp_(self, min, max)

    def maximum(self, other: Tensor) -> Tensor:
        """Elementwise maximum."""
        return _ew.maximum(self, other)

    def minimum(self, other: Tensor) -> Tensor:
        """Elementwise minimum."""
        return _ew.minimum(self, other)

    def where(self, condition: Tensor, other: Any) -> Tensor:
        """``self`` where ``condition`` holds, else ``other``."""
        return _ew.where(condition, self, other)

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        """``value`` where ``mask`` is true, else ``self``."""
        return _ew.masked_fill(self, mask, value)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        """In-place :meth:`masked_fill` (``mask`` broadcasts to this tensor's shape)."""
        mask = _ew.as_bool_mask(mask, self)
        if mask.shape != self.shape:
            try:
                mask = _shape.expand(mask, tuple(self.shape))
            except RuntimeError:
                raise RuntimeError(
                    f"masked_fill_: output with shape {tuple(self.shape)} doesn't match the "
                    f"broadcast shape of the mask {tuple(mask.shape)}"
                ) from None
        if isinstance(value, Tensor) and value._data.dtype != self._data.dtype:
            value = value.to(self.dtype)  # (a mask write would refuse another dtype)
        return _indexing.setitem(self, mask, value)

    def eq(self, other: Any) -> Tensor:
        """Elementwise ``==``."""
        return _ew.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        """Elementwise ``!=``."""
        return _ew.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        """Elementwise ``<``."""
        return _ew.lt(self, other)

    def le(self, other: Any) -> Tensor:
        """Elementwise ``<=``."""
        return _ew.le(self, other)

    def gt(self, other: Any) -> Tensor:
        """Elementwise ``>``."""
        return _ew.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        """Elementwise ``>=``."""
        return _ew.ge(self, other)

    def logical_and(self, other: Tensor) -> Tensor:
        """Elementwise logical and (any dtype; nonzero is true)."""
        return _ew.logical_and(self, other)

    def logical_or(self, other: Tensor) -> Tensor:
        """Elementwise logical or."""
        return _ew.logical_or(self, other)

    def logical_not(self) -> Tensor:
        """Elementwise logical not."""
        return _ew.logical_not(self)

    def isnan(self) -> Tensor:
        """Elementwise NaN test."""
        return _ew.isnan(self)

    def isfinite(self) -> Tensor:
        """Elementwise finiteness test."""
        return _ew.isfinite(self)

    def equal(self, other: Tensor) -> builtins.bool:
        """``True`` when shapes and all values are equal."""
        return self.shape == other.shape and bool((self == other).all())

    def allclose(
        self,
        other: Tensor,
        rtol: builtins.float = 1e-5,
        atol: builtins.float = 1e-8,
        equal_nan: builtins.bool = False,
    ) -> builtins.bool:
        """Whether all values are close (``|a - b| <= atol + rtol * |b|``)."""
        return bool(np.allclose(self._data, other._data, rtol, atol, equal_nan))

    # ------------------------------------------------------------------ in-place fills
    def zero_(self) -> Tensor:
        """Fill with zeros in place."""
        return _indexing.fill_(self, 0)

    def fill_(self, value: Any) -> Tensor:
        """Fill with ``value`` in place."""
        return _indexing.fill_(self, value)

    def copy_(self, src: Any, non_blocking: builtins.bool = False) -> Tensor:
        """Copy ``src`` (a tensor or a number; broadcast, converted to this dtype) into
        ``self`` in place.  ``non_blocking`` is accepted and ignored (no devices)."""
        return _indexing.copy_(self, src)

    def uniform_(
        self, a: builtins.float = 0.0, b: builtins.float = 1.0, *, generator: Any = None
    ) -> Tensor:
        """Fill in place with samples from U(a, b)."""
        return _random.uniform_(self, a, b, generator=generator)

    def normal_(
        self, mean: builtins.float = 0.0, std: builtins.float = 1.0, *, generator: Any = None
    ) -> Tensor:
        """Fill in place with samples from N(mean, std**2)."""
        return _random.normal_(self, mean, std, generator=generator)

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """Fill in place with 1 with probability ``p`` (a number or a tensor of
        probabilities), else 0."""
        return _random.bernoulli_(self, p, generator=generator)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None) -> Tensor:
        """Sum over ``dim`` (int, tuple or ``None`` for all)."""
        return _red.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None) -> Tensor:
        """Mean over ``dim``."""
        return _red.mean(self, dim, keepdim, dtype=dtype)

    def var(
        self,
        dim: Any = None,
        unbiased: builtins.bool | None = None,
        keepdim: builtins.bool = False,
        *,
        correction: builtins.float | None = None,
    ) -> Tensor:
        """Variance over ``dim`` with Bessel's ``correction`` (1 = unbiased)."""
        return _red.var(self, dim, unbiased, keepdim, correction=correction)

    def std(
        self,
        dim: Any = None,
        unbiased: builtins.bool | None = None,
        keepdim: builtins.bool = False,
        *,
        correction: builtins.float | None = None,
    ) -> Tensor:
        """Standard deviation over ``dim``."""
        return _red.std(self, dim, unbiased, keepdim, correction=correction)

    def max(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """The maximum; with ``dim``, a ``(values, indices)`` pair; with a tensor, elementwise."""
        return _red.max(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """The minimum; with ``dim``, a ``(values, indices)`` pair."""
        return _red.min(self, dim, keepdim)

    def amax(self, dim: Any = (), keepdim: builtins.bool = False) -> Tensor:
        """Maximum over ``dim`` (gradient split evenly among ties)."""
        return _red.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: builtins.bool = False) -> Tensor:
        """Minimum over ``dim``."""
        return _red.amin(self, dim, keepdim)

    def argmax(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor:
        """Index of the maximum (of the flattened tensor when ``dim`` is ``None``)."""
        return _red.argmax(self, dim, keepdim)

    def argmin(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor:
        """Index of the minimum."""
        return _red.argmin(self, dim, keepdim)

    def prod(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, dtype: Any = None
    ) -> Tensor:
        """Product over ``dim``."""
        return _red.prod(self, dim, keepdim, dtype=dtype)

    def all(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """Whether all elements are true (nonzero)."""
        return _red.all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """Whether any element is true (nonzero)."""
        return _red.any(self, dim, keepdim)

    def cumsum(self, dim: builtins.int, *, dtype: Any = None) -> Tensor:
        """Running sum along ``dim``."""
        return _red.cumsum(self, dim, dtype=dtype)

    def softmax(self, dim: builtins.int, dtype: Any = None) -> Tensor:
        """exp(x) / sum(exp(x)) along ``dim``, computed stably (in ``dtype`` if given)."""
        return _comp.softmax(self, dim, dtype)

    def log_softmax(self, dim: builtins.int, dtype: Any = None) -> Tensor:
        """log(softmax(x)) along ``dim``, computed stably (in ``dtype`` if given)."""
        return _comp.log_softmax(self, dim, dtype)

    def logsumexp(self, dim: Any, keepdim: builtins.bool = False) -> Tensor:
        """log(sum(exp(x))) along ``dim``, computed stably."""
        return _comp.logsumexp(self, dim, keepdim)

    def norm(self, p: Any = 2, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        """The p-norm over ``dim`` (``p``: a float, ``'fro'`` or ``None``)."""
        return _comp.norm(self, p, dim, keepdim)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        """Same elements, new shape; a view when the strides allow, else a copy."""
        return _shape.reshape(self, _shape.shape_args(shape))

    def view(self, *shape: Any) -> Tensor:
        """Same elements, new shape, always a view (raises when impossible).

        ``t.view(dtype)`` reinterprets the bytes instead (see :func:`tt_tensor.shape.view_dtype`):
        ``tt.tensor([1.0]).view(tt.int32)`` is ``[1065353216]``."""
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Size)):
            return _shape.view_dtype(self, _dt.to_numpy_dtype(shape[0], "view"))
        return _shape.view(self, _shape.shape_args(shape))

    def view_as(self, other: Tensor) -> Tensor:
        """View with ``other``'s shape."""
        return _shape.view(self, tuple(other.shape))

    def reshape_as(self, other: Tensor) -> Tensor:
        """Reshape to ``other``'s shape."""
        return _shape.reshape(self, tuple(other.shape))

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        """Merge dims ``start_dim..end_dim`` into one."""
        return _shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: builtins.int, sizes: Sequence[builtins.int]) -> Tensor:
        """Split dim ``dim`` into ``sizes``."""
        return _shape.unflatten(self, dim, sizes)

    def squeeze(self, dim: Any = None) -> Tensor:
        """Remove size-1 dims (all, or those in ``dim``)."""
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim: builtins.int) -> Tensor:
        """Insert a size-1 dim at ``dim``."""
        return _shape.unsqueeze(self, dim)

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        """Swap two dims (a view)."""
        return _shape.transpose(self, dim0, dim1)

    def swapaxes(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        """Alias of :meth:`transpose`."""
        return _shape.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        """Transpose a tensor of at most 2 dims."""
        if self._data.ndim > 2:
            raise RuntimeError(f"t: expects a tensor with <= 2 dimensions, but got {self.ndim}")
        return _shape.reverse_dims(self)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder dims (a view)."""
        return _shape.permute(self, _shape.shape_args(dims))

    @property
    def T(self) -> Tensor:
        """All dims reversed."""
        return _shape.reverse_dims(self)

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped (batched matrix transpose)."""
        if self._data.ndim < 2:
            raise RuntimeError("mT: tensor.mT is only supported on matrices or batches of matrices")
        return _shape.transpose(self, -2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to ``sizes`` (-1 keeps a dim) without copying (stride 0)."""
        return _shape.expand(self, _shape.shape_args(sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        """Expand to ``other``'s shape."""
        return _shape.expand(self, tuple(other.shape))

    def broadcast_to(self, shape: Sequence[builtins.int]) -> Tensor:
        """Alias of :meth:`expand`."""
        return _shape.expand(self, tuple(shape))

    def contiguous(self) -> Tensor:
        """``self`` if row-major contiguous, else a contiguous copy."""
        return _shape.contiguous(self)

    def clone(self) -> Tensor:
        """A copy with its own memory (differentiable)."""
        return _shape.clone(self)

    def split(self, split_size: Any, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        """Views of chunks of ``split_size`` (or of the listed sizes) along ``dim``."""
        return _shape.split(self, split_size, dim)

    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        """Split into ``chunks`` nearly equal views along ``dim``."""
        return _shape.chunk(self, chunks, dim)

    def unbind(self, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        """All slices along ``dim``."""
        return _shape.unbind(self, dim)

    def flip(self, *dims: Any) -> Tensor:
        """Reverse the order along ``dims`` (a view)."""
        return _shape.flip(self, _shape.shape_args(dims))

    def repeat(self, *sizes: Any) -> Tensor:
        """Tile the tensor ``sizes[i]`` times along dim i (a copy)."""
        return _shape.repeat(self, _shape.shape_args(sizes))

    def unfold(self, dimension: builtins.int, size: builtins.int, step: builtins.int) -> Tensor:
        """All windows of ``size`` along ``dimension``, ``step`` apart, as a new last dim."""
        return _shape.unfold(self, dimension, size, step)

    def gather(self, dim: builtins.int, index: Tensor) -> Tensor:
        """``out[i][j] = self[index[i][j]][j]`` for ``dim=0`` (and so on)."""
        return _indexing.gather(self, dim, index)

    def index_select(self, dim: builtins.int, index: Tensor) -> Tensor:
        """The entries ``index`` along ``dim`` (a copy)."""
        return _indexing.index_select(self, dim, index)

    def scatter_add(self, dim: builtins.int, index: Tensor, src: Tensor) -> Tensor:
        """A copy with ``src`` added at ``index`` along ``dim`` (see
        :func:`tt_tensor.indexing.scatter_add`)."""
        return _indexing.scatter_add(self, dim, index, src)

    def index_put(self, indices: Any, values: Tensor, accumulate: builtins.bool = False) -> Tensor:
        """A copy with ``values`` written (or added) at ``indices`` (a tuple of index tensors)."""
        return _indexing.index_put(self, tuple(indices), values, accumulate)

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product with broadcasting of batch dims."""
        return _linalg.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        """2-D matrix product."""
        return _linalg.mm(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        """Batched 3-D matrix product."""
        return _linalg.bmm(self, other)

    def dot(self, other: Tensor) -> Tensor:
        """1-D inner product."""
        return _linalg.dot(self, other)


def _make(arr: np.ndarray[Any, Any]) -> Tensor:
    """Wrap a NumPy array in a new tensor that owns it (no copy, fresh version counter)."""
    t = _new(Tensor)
    t._data = arr
    t._vc = [0]
    t._requires_grad = False
    t._grad = None
    t.grad_fn = None
    t._base = None
    t._meta = None
    return t


def _raise_bad_grad(t: Tensor, g: Tensor) -> None:
    if g._data.shape != t._data.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of size '{list(g._data.shape)}' to a tensor of "
            f"size '{list(t._data.shape)}'. Please ensure that the gradient and the tensor are "
            "the same size"
        )
    raise RuntimeError(
        f"attempting to assign a gradient with dtype '{g.dtype.name}' to a tensor with "
        f"grad_dtype '{t.dtype.name}'. The gradient must match the tensor's dtype"
    )


def _view_of(base: Tensor, arr: np.ndarray[Any, Any]) -> Tensor:
    """Wrap ``arr`` (a view of ``base``'s memory) sharing ``base``'s version counter."""
    t = _new(Tensor)
    t._data = arr
    t._vc = base._vc
    t._requires_grad = False
    t._grad = None
    t.grad_fn = None
    t._base = base._base if base._base is not None else base
    t._meta = None
    return t


_new = object.__new__

# PyTorch's legacy tensor type names, by dtype name (``Tensor.type()``).
_TYPE_NAMES = {
    "bool": "BoolTensor",
    "uint8": "ByteTensor",
    "int8": "CharTensor",
    "int16": "ShortTensor",
    "int32": "IntTensor",
    "int64": "LongTensor",
    "float16": "HalfTensor",
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
}

from . import composite as _comp  # noqa: E402
from . import creation as _creation  # noqa: E402
from . import dispatch as _dispatch  # noqa: E402
from . import elementwise as _ew  # noqa: E402
from . import format as _format  # noqa: E402
from . import indexing as _indexing  # noqa: E402
from . import linalg as _linalg  # noqa: E402
from . import random as _random  # noqa: E402
from . import reduction as _red  # noqa: E402
from . import shape as _shape  # noqa: E402
