"""tt-tensor: an n-dimensional array with PyTorch's names and semantics, on NumPy.

Tier 1 of tt.  It has no notion of gradients beyond the fields a gradient engine fills in:
every primitive runs through :func:`tt_tensor.dispatch.dispatch`, where later tiers (autograd,
the profiler) attach through :func:`tt_tensor.dispatch.add_observer` and
:func:`tt_tensor.dispatch.set_engine`.

>>> import tt_tensor as tt
>>> x = tt.arange(6).reshape(2, 3).float()
>>> x.softmax(dim=1).sum(dim=1)
tensor([1., 1.], shape=(2,), dtype=tt_tensor.float32)
"""

from __future__ import annotations

from . import allocator, dispatch
from .__about__ import __version__
from .composite import log_softmax, logsumexp, norm, softmax
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    DType,
    bool_,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    result_type,
    uint8,
)
from .elementwise import (
    abs,
    clamp,
    cos,
    eq,
    erf,
    exp,
    floor_divide,
    ge,
    gt,
    isfinite,
    isnan,
    le,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    masked_fill,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    pow,
    relu,
    remainder,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    tanh,
    where,
)
from .elementwise import add_op as add
from .elementwise import div_op as div
from .elementwise import sub_op as sub
from .indexing import gather, index_put, index_select, scatter_add
from .linalg import bmm, dot, matmul, mm
from .random import (
    Generator,
    bernoulli,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from .reduction import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    cumsum,
    max,
    mean,
    min,
    prod,
    std,
    sum,
    var,
)
from .shape import (
    cat,
    chunk,
    concat,
    expand,
    flatten,
    flip,
    movedim,
    pad,
    permute,
    repeat,
    reshape,
    split,
    squeeze,
    stack,
    transpose,
    unbind,
    unflatten,
    unfold,
    unsqueeze,
)
from .tensor import Size, Tensor

bool = bool_
clip = clamp
divide = div
multiply = mul
subtract = sub
concatenate = cat


def is_tensor(obj: object) -> builtins_bool:
    """Whether ``obj`` is a :class:`Tensor`."""
    return isinstance(obj, Tensor)


def numel(x: Tensor) -> int:
    """The number of elements of ``x``."""
    return x.numel()


def clone(x: Tensor) -> Tensor:
    """A differentiable copy of ``x`` in new memory."""
    return x.clone()


def t(x: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dims."""
    return x.t()


def detach(x: Tensor) -> Tensor:
    """``x`` outside the autograd graph (shares memory)."""
    return x.detach()


import builtins as _builtins  # noqa: E402

builtins_bool = _builtins.bool

__all__ = [
    "DType",
    "Generator",
    "Size",
    "Tensor",
    "__version__",
    "abs",
    "add",
    "all",
    "allocator",
    "amax",
    "amin",
    "any",
    "arange",
    "argmax",
    "argmin",
    "as_tensor",
    "bernoulli",
    "bmm",
    "bool",
    "bool_",
    "cat",
    "chunk",
    "clamp",
    "clip",
    "clone",
    "concat",
    "concatenate",
    "cos",
    "cumsum",
    "default_generator",
    "detach",
    "dispatch",
    "div",
    "divide",
    "dot",
    "empty",
    "empty_like",
    "eq",
    "erf",
    "exp",
    "expand",
    "eye",
    "flatten",
    "flip",
    "float16",
    "float32",
    "float64",
    "floor_divide",
    "from_numpy",
    "full",
    "full_like",
    "gather",
    "ge",
    "get_default_dtype",
    "get_rng_state",
    "gt",
    "index_put",
    "index_select",
    "initial_seed",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_tensor",
    "isfinite",
    "isnan",
    "le",
    "linspace",
    "log",
    "log1p",
    "log_softmax",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logsumexp",
    "lt",
    "manual_seed",
    "masked_fill",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mm",
    "movedim",
    "mul",
    "multiply",
    "ne",
    "neg",
    "norm",
    "normal",
    "numel",
    "ones",
    "ones_like",
    "pad",
    "permute",
    "pow",
    "prod",
    "promote_types",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "relu",
    "remainder",
    "repeat",
    "reshape",
    "result_type",
    "rsqrt",
    "scatter_add",
    "seed",
    "set_rng_state",
    "sigmoid",
    "sign",
    "sin",
    "softmax",
    "split",
    "sqrt",
    "squeeze",
    "stack",
    "std",
    "sub",
    "subtract",
    "sum",
    "t",
    "tanh",
    "tensor",
    "transpose",
    "uint8",
    "unbind",
    "unflatten",
    "unfold",
    "unsqueeze",
    "var",
    "where",
    "zeros",
    "zeros_like",
]

allocator.tune_malloc()  # keep freed memory for reuse (see tt_tensor.allocator)
