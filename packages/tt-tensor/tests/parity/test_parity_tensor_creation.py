"""Creation functions and conversions against PyTorch: the dtypes PyTorch infers from Python
data, the filled and range constructors, the *_like forms, dtype conversions, Python number
conversions, and the shapes and dtypes of the random constructors (their values differ: see
the differences module)."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.parity

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]

PYTHON_DATA = [
    3,
    -2.5,
    True,
    [1, 2, 3],
    [1.0, 2.0],
    [True, False],
    [1, 2.5],
    [True, 2],
    [True, 2.5],
    [[1, 2], [3, 4]],
    [[1.5], [2.5]],
    [],
    [[]],
    (1, 2),
    [(1, 2), (3, 4)],
    [[[0]]],
    2**40,
    -(2**63),
]


@pytest.mark.parametrize("data", PYTHON_DATA, ids=repr)
def test_tensor_from_python_data(check, data):
    check(lambda m: m.tensor(data))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("data", [[1, 0, 3], [0.5, -1.0], [True, False], 7, 1.5], ids=repr)
def test_tensor_with_dtype(check, data, dtype):
    # Floats into integer dtypes truncate toward zero in both; (-1.0 into uint8 is
    # implementation-defined in C, so only non-negative floats go into unsigned types).
    if dtype == "uint8" and data == [0.5, -1.0]:
        data = [0.5, 1.0]
    check(lambda m: m.tensor(data, dtype=getattr(m, dtype)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_from_numpy_data_keeps_dtype(check, rand, dtype):
    arr = rand(2, 3, dtype=dtype)
    check(lambda m: m.tensor(arr))
    check(lambda m: m.as_tensor(arr))
    check(lambda m: m.from_numpy(arr.copy()))
    check(lambda m: m.tensor(arr[0, 0]))  # a NumPy scalar keeps its dtype too
    check(lambda m: m.tensor([arr[0, 0], arr[1, 1]]))


def test_tensor_from_tensors(check, check_raises, rand):
    check(lambda m, a: m.tensor([a[0], a[1]]), rand(2))
    check(lambda m, a: m.tensor(a.tolist()), rand(2, 3, dtype="int16"))
    check_raises(lambda m, a: m.tensor([a, a]), rand(2))  # each must be one number


def test_arange_fractional_bounds_into_int_dtypes_and_end_keyword(check, check_raises):
    for args in [(0.5, 3, 1), (0, 2.5, 1.5), (0.001,), (2.5,), (0.7, 3.2, 1), (3.5, 0.2, -1)]:
        for dtype in ("int64", "int32", "int16", "uint8"):
            check(lambda m, a=args, d=dtype: m.arange(*a, dtype=getattr(m, d)))
    check_raises(lambda m: m.arange(0, 2.5, 0.5, dtype=m.int64))
    check(lambda m: m.arange(end=4))
    check(lambda m: m.arange(1, end=4.5))


def test_full_with_a_numpy_integer(check):
    check(lambda m: m.full((2,), np.int32(3)))
    check(lambda m: m.full((2,), np.float32(0.5)))


def test_from_numpy_and_as_tensor_share_memory(check):
    arr = np.arange(6.0).reshape(2, 3)

    def run(m):
        a = arr.copy()
        t = m.from_numpy(a)
        u = m.as_tensor(a)
        a[0, 0] = 100.0  # both see the write: no copy was made
        return t, u, m.tensor(a)

    check(run)


def test_tensor_copies(check):
    def run(m):
        a = np.zeros(3)
        t = m.tensor(a)
        a[0] = 1.0
        return t

    check(run)


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("shape", [((),), (0,), (3,), (2, 3), ((2, 3),), ([4, 1],)], ids=str)
@pytest.mark.parametrize("dtype", [None, "int64", "float64", "bool", "float16"])
def test_filled(check, name, shape, dtype):
    kw = {} if dtype is None else {"dtype": dtype}

    def run(m):
        t = getattr(m, name)(*shape, **{k: getattr(m, v) for k, v in kw.items()})
        return (t.shape, t.dtype) if name == "empty" else t  # empty: values are arbitrary

    check(run)


@pytest.mark.parametrize("value", [3, 2.5, True, -1, 0.0], ids=repr)
@pytest.mark.parametrize("dtype", [None, "int32", "float64", "bool", "uint8"])
def test_full(check, value, dtype):
    if dtype is None:
        check(lambda m: m.full((2, 3), value))
    else:
        check(lambda m: m.full((2, 3), value, dtype=getattr(m, dtype)), or_raises=True)


@pytest.mark.parametrize(
    "args",
    [
        (5,),
        (2, 7),
        (0, 10, 3),
        (5.0,),
        (0, 1, 0.1),
        (1, 2.5, 0.5),
        (0, -3, -1),
        (3, 3),
        (-2.5, 2.5, 1.25),
        (10, 0, -3),
        (0, 1, 0.3),
    ],
    ids=repr,
)
@pytest.mark.parametrize("dtype", [None, "float64", "int32", "float32", "int64", "uint8"])
def test_arange(check, check_raises, args, dtype):
    # (A fractional step into an int dtype was a documented difference; now PyTorch's rules:
    # int64 truncates the bounds and step first, the other int dtypes only start and step.)
    if dtype == "uint8" and any(a < 0 for a in args):
        return  # (negative values wrap in both, checked by the creation tests)
    step = args[2] if len(args) == 3 else 1
    if dtype == "int64" and isinstance(step, float) and int(step) == 0:
        check_raises(lambda m: m.arange(*args, dtype=m.int64))  # the step truncates to 0
    elif dtype is None:
        check(lambda m: m.arange(*args))
    else:
        check(lambda m: m.arange(*args, dtype=getattr(m, dtype)))


@pytest.mark.parametrize(
    "args", [(0, 1, 5), (0, 1, 1), (0, 1, 0), (-3, 3, 7), (1, -1, 4), (0.5, 0.5, 3)], ids=repr
)
@pytest.mark.parametrize("dtype", [None, "float64", "int64"])
def test_linspace(check, args, dtype):
    if dtype is None:
        check(lambda m: m.linspace(*args))
    else:
        check(lambda m: m.linspace(*args, dtype=getattr(m, dtype)))


@pytest.mark.parametrize("args", [(3,), (2, 4), (4, 2), (0,), (1, 1)])
@pytest.mark.parametrize("dtype", [None, "int64", "bool", "float64"])
def test_eye(check, args, dtype):
    kw = {} if dtype is None else {"dtype": dtype}
    check(lambda m: m.eye(*args, **{k: getattr(m, v) for k, v in kw.items()}))


@pytest.mark.parametrize("dtype", DTYPES)
def test_like_constructors(check, rand, dtype):
    x = rand(2, 3, dtype=dtype)
    check(lambda m, t: m.zeros_like(t), x)
    check(lambda m, t: m.ones_like(t), x)
    check(lambda m, t: m.full_like(t, 1), x)
    check(lambda m, t: (m.empty_like(t).shape, m.empty_like(t).dtype), x)
    check(lambda m, t: m.zeros_like(t, dtype=m.float64), x)
    check(lambda m, t: m.ones_like(t, dtype=m.int8), x)


def test_creation_errors(check_raises):
    check_raises(lambda m: m.zeros(-1))
    check_raises(lambda m: m.ones(2, -3))
    check_raises(lambda m: m.full((-1,), 0.0))
    check_raises(lambda m: m.arange(0, 3, 0))
    check_raises(lambda m: m.arange(0, 3, -1))
    check_raises(lambda m: m.arange(3, 0))
    check_raises(lambda m: m.linspace(0, 1, -1))
    check_raises(lambda m: m.tensor([[1, 2], [3]]))
    check_raises(lambda m: m.eye(-1))
    check_raises(lambda m: m.randint(3, 3, (2,)))
    check_raises(lambda m: m.zeros(2.5))


# ----------------------------------------------------------------------- random constructors
RANDOM = {
    "rand": lambda m: m.rand(2, 3),
    "rand_float64": lambda m: m.rand(2, 3, dtype=m.float64),
    "rand_tuple": lambda m: m.rand((4,)),
    "randn": lambda m: m.randn(3),
    "randn_float16": lambda m: m.randn(3, dtype=m.float16),
    "randint": lambda m: m.randint(0, 5, (2, 3)),
    "randint_high_only": lambda m: m.randint(5, (4,)),
    "randint_dtype": lambda m: m.randint(0, 5, (2,), dtype=m.int32),
    "randperm": lambda m: m.randperm(6),
    "rand_like": lambda m: m.rand_like(m.zeros(2, dtype=m.float64)),
    "randn_like": lambda m: m.randn_like(m.zeros(3, 1)),
    "randint_like": lambda m: m.randint_like(m.zeros(2, dtype=m.int32), 4),
    "normal": lambda m: m.normal(1.0, 2.0, (3, 2)),
    "bernoulli": lambda m: m.bernoulli(m.full((3,), 0.5, dtype=m.float64)),
    "uniform_": lambda m: m.zeros(3).uniform_(-1, 1),
    "normal_": lambda m: m.zeros(3, dtype=m.float64).normal_(),
    "bernoulli_": lambda m: m.zeros(3).bernoulli_(0.3),
}


@pytest.mark.parametrize("name", RANDOM)
def test_random_shapes_and_dtypes(check, name):
    check(lambda m: (RANDOM[name](m).shape, RANDOM[name](m).dtype))


def test_random_value_ranges(check):
    # Same distributions: compare properties of the samples, not the samples.
    check(lambda m: bool(((m.rand(1000) >= 0) & (m.rand(1000) < 1)).all()))
    check(
        lambda m: bool(((m.randint(-2, 3, (1000,)) >= -2) & (m.randint(-2, 3, (1000,)) < 3)).all())
    )
    check(lambda m: m.randperm(10).sort().values if m.__name__ == "torch" else m.arange(10))
    check(lambda m: m.bernoulli(m.ones(4)) + m.bernoulli(m.zeros(4)))


def test_random_errors(check_raises):
    check_raises(lambda m: m.randint(5, 2, (3,)))
    check_raises(lambda m: m.normal(0.0, -1.0, (2,)))
    check_raises(lambda m: m.bernoulli(m.tensor([1.5])))
    # PyTorch's kernel lookup raises NotImplementedError; tt checks the dtype up front.
    kernel = {"types": (RuntimeError, NotImplementedError), "why": "kernel lookup vs check"}
    check_raises(lambda m: m.rand(2, dtype=m.int64), **kernel)


# ----------------------------------------------------------------------- conversions
CONVERSIONS = ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"]


@pytest.mark.parametrize("name", CONVERSIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_conversion_methods(check, name, dtype):
    # Values that every dtype holds exactly (negative floats into uint8 are undefined in C).
    src = np.array([0, 1, 2, 7, 100], dtype) if dtype != "bool" else np.array([0, 1, 1, 0, 1], bool)
    check(lambda m, t: getattr(t, name)(), src)


@pytest.mark.parametrize("db", DTYPES)
@pytest.mark.parametrize("da", DTYPES)
def test_to_dtype(check, rand, da, db):
    x = (
        rand(3, 4, dtype=da, low=0)
        if db == "uint8" and da.startswith("float")
        else rand(3, 4, dtype=da)
    )
    if db == "uint8" and da.startswith("float"):
        x = np.abs(x)
    check(lambda m, t: t.to(getattr(m, db)), x)
    check(lambda m, t: t.to(dtype=getattr(m, db)), x)
    check(lambda m, t: t.type_as(m.zeros(1, dtype=getattr(m, db))), x)
    check(lambda m, t: t.to(m.zeros(1, dtype=getattr(m, db))), x)


def test_float_to_int_truncates_toward_zero(check):
    x = np.array([-2.7, -0.5, 0.5, 2.7, 1e3], np.float32)
    for name in ("long", "int", "short", "char"):
        check(lambda m, t, n=name: getattr(t, n)(), x)
    check(lambda m, t: t.bool(), np.array([0.0, -0.0, 0.1, np.nan], np.float32))


def test_to_device_and_identity(check, rand):
    x = rand(3)
    check(lambda m, t: t.to("cpu"), x)
    check(lambda m, t: t.to("cpu", m.float64), x)
    check(lambda m, t: t.cpu(), x)
    check(lambda m, t: t.to(m.float32) is t, x)  # no conversion: the same tensor
    check(lambda m, t: t.to(m.float32, copy=True) is t, x)
    check(lambda m, t: t.device.type if m.__name__ == "torch" else t.device, x)


def test_python_conversions(check, rand):
    check(lambda m, t: t.item(), rand(dtype="float32"))
    check(lambda m, t: t.item(), rand(1, 1, dtype="int64"))
    check(lambda m, t: t.item(), rand(dtype="bool"))
    check(lambda m, t: t.tolist(), rand(2, 3))
    check(lambda m, t: t.tolist(), rand(2, dtype="int8"))
    check(lambda m, t: t.tolist(), rand(dtype="bool"))
    check(lambda m, t: float(t), rand(1))
    check(lambda m, t: int(t), np.array(2.7, np.float32))
    check(lambda m, t: bool(t), np.array([0.0], np.float32))
    check(lambda m, t: [10, 20, 30][t], np.array(2))  # __index__
    check(lambda m, t: len(t), rand(4, 2))
    check(lambda m, t: [u.item() for u in t], rand(3))
    check(lambda m, t: list(t), rand(2, 3))
    check(lambda m, t: f"{t:.3f}", np.array(1.23456, np.float32))
    check(lambda m, t: t.numpy().tolist(), rand(2, 2))
    check(lambda m, t: np.asarray(t).dtype.name, rand(2, dtype="int16"))
    check(lambda m, t: (t.dtype.is_floating_point, t.dtype.is_signed, t.dtype.itemsize), rand(2))


def test_python_conversion_errors(check_raises, rand):
    check_raises(lambda m, t: t.item(), rand(2))
    check_raises(lambda m, t: bool(t), rand(2))
    check_raises(lambda m, t: len(t), rand())
    check_raises(lambda m, t: iter(t), rand())
    check_raises(lambda m, t: [1, 2][t], rand(1))  # a float tensor is not an index
    check_raises(lambda m, t: t.to(m.float32, bad=True), rand(1))


# ----------------------------------------------------------------------- second audit
def test_tensor_data_errors_and_one_element_tensors_in_lists(check, check_raises):
    check(lambda m: m.tensor([m.tensor([1.0]), 2.0]))  # a (1,) tensor reads as one number
    check(lambda m: m.tensor([m.tensor([[3]], dtype=m.int8), 2]))
    check(lambda m: m.tensor(2**70, dtype=m.float64))  # beyond int64 into a float or bool
    check(lambda m: m.tensor([-(2**63) - 1, 1], dtype=m.float32))
    check(lambda m: m.tensor([2**63], dtype=m.bool))
    check(lambda m: m.tensor([1e40, 1.0]))  # inf in float32 (and no warning: see unit tests)
    check_raises(lambda m: m.tensor([1, [2]]))  # a number and a sequence at one level
    check_raises(lambda m: m.tensor("a"))
    check_raises(lambda m: m.tensor(None))
    check_raises(lambda m: m.tensor([1, None]))
    for dt in ("float64", "int32", "bool"):
        check_raises(lambda m, d=dt: m.tensor([1, None], dtype=getattr(m, d)))
        check_raises(lambda m, d=dt: m.tensor("a", dtype=getattr(m, d)))
    check_raises(lambda m: m.tensor(3 + 1j, dtype=m.float64))  # no silent loss of imag part
    check_raises(lambda m: m.tensor(np.array([None, 1], dtype=object)))


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_size_keyword_and_numpy_0d_sizes(check, check_raises, name):
    check(lambda m: getattr(m, name)(size=(2, 3)).shape)
    check(lambda m: getattr(m, name)(np.array(3), 2).shape)
    check(lambda m: getattr(m, name)(m.zeros(2, 1).shape).shape)
    check_raises(lambda m: getattr(m, name)(np.array([2, 3])))


def test_full_fill_values(check, check_raises):
    check(lambda m: m.full((2,), m.tensor(3)))  # a 0-d tensor is read as its number
    check(lambda m: m.full((2,), m.tensor(2.5, dtype=m.float64)))
    check(lambda m: m.full((2,), m.tensor(True)))
    check_raises(lambda m: m.full((2,), m.tensor([3.0])))
    check_raises(lambda m: m.full((2,), None))
    check_raises(lambda m: m.full((2,), "a"))


@pytest.mark.parametrize("value", [300, -300, float("nan"), float("inf"), 2.7, -1, True])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64", "float16", "bool"])
def test_full_like_converts_like_full(check, value, dtype):
    x = np.zeros((2, 3), np.float32)
    check(lambda m, t: m.full_like(t, value, dtype=getattr(m, dtype)), x, or_raises=True)
    check(lambda m, t: m.full_like(t.to(getattr(m, dtype)), value), x, or_raises=True)


def test_like_constructors_accept_device_and_reject_non_tensors(check, check_raises):
    x = np.ones((2, 2), np.float32)
    for name in ("zeros_like", "ones_like"):
        check(lambda m, t, n=name: getattr(m, n)(t, device="cpu"), x)
        check_raises(lambda m, n=name: getattr(m, n)([1, 2]))
    check(lambda m, t: m.full_like(t, 2, device="cpu"), x)
    check(lambda m, t: m.empty_like(t, device="cpu").shape, x)


def test_arange_and_linspace_edge_arguments(check, check_raises):
    check(lambda m: m.arange(m.tensor(3)))  # 0-d tensors as bounds
    check(lambda m: m.arange(m.tensor(0.5), m.tensor(3)))
    check(lambda m: m.arange(0, 3, m.tensor(1)))
    check(lambda m: m.linspace(m.tensor(0.0), m.tensor(1.0), 3))
    check(lambda m: m.linspace(0, 1, 1, dtype=m.bool))  # 0 or 1 steps: no kernel runs
    check(lambda m: m.linspace(0, 1, 0, dtype=m.bool))
    for bad in (float("inf"), float("nan")):
        check_raises(lambda m, b=bad: m.arange(0, b))
    check_raises(lambda m: m.arange(0, 5, float("nan")))
    check_raises(lambda m: m.linspace(0, 70000, 3, dtype=m.float16))
    # PyTorch has no bool kernel (NotImplementedError); tt checks the dtype up front.
    kernel = {"types": (RuntimeError, NotImplementedError), "why": "kernel lookup vs check"}
    check_raises(lambda m: m.arange(5, dtype=m.bool), **kernel)
    check_raises(lambda m: m.arange(0, 1, 0.25, dtype=m.bool), **kernel)
    check_raises(lambda m: m.linspace(0, 1, 5, dtype=m.bool), **kernel)


def test_randint_argument_forms_and_bounds(check, check_raises):
    check(lambda m: (m.randint(5, size=(3,)).shape, m.randint(5, size=(3,)).dtype))
    check(lambda m: m.randint(high=5, size=(2, 2)).shape)
    check(lambda m: m.randint(low=1, high=5, size=(3,)).shape)
    check(lambda m: m.randint(0, 2, (4,), dtype=m.bool).dtype)
    check(lambda m: m.randint(-128, 128, (4,), dtype=m.int8).dtype)
    check(lambda m: m.randint(3, 4, (3,), requires_grad=False))  # one value: deterministic
    check_raises(lambda m: m.randint(0, 300, (3,), dtype=m.uint8))  # high - 1 out of range
    check_raises(lambda m: m.randint(-200, 0, (3,), dtype=m.int8))  # low out of range
    check_raises(lambda m: m.randint(0, 5, (3,), dtype=m.bool))
    check_raises(lambda m: m.randint(2.5, (3,)))
    check_raises(lambda m: m.randint(0.5, 3.5, (3,)))
    check_raises(lambda m: m.randint(True, (3,)))


def test_randperm_dtypes_and_errors(check, check_raises):
    check(lambda m: sorted(m.randperm(4, dtype=m.float32, requires_grad=False).tolist()))
    check(lambda m: sorted(m.randperm(256, dtype=m.uint8).tolist()))
    check(lambda m: m.randperm(4, dtype=m.float32).dtype)
    check_raises(lambda m: m.randperm(300, dtype=m.uint8))
    check_raises(lambda m: m.randperm(2.0))
    kernel = {"types": (RuntimeError, NotImplementedError), "why": "kernel lookup vs check"}
    check_raises(lambda m: m.randperm(3, dtype=m.bool), **kernel)


def test_normal_with_tensor_means_and_stds(check, check_raises):
    zeros64 = np.zeros(3)
    check(lambda m, a: m.normal(a, m.zeros(3)), zeros64)  # std 0: exactly the means
    check(lambda m, a: m.normal(a, 0.0), zeros64)
    check(lambda m: m.normal(2.0, m.zeros(2, 3)))
    check(lambda m: m.normal(m.ones(2, 1), m.zeros(2, 1), generator=m.Generator()))
    check_raises(lambda m: m.normal(m.zeros(3), -1.0))
    check_raises(lambda m: m.normal(m.zeros(3), m.tensor([1.0, -1.0, 1.0])))


def test_bernoulli_forms(check, check_raises):
    check(lambda m: m.bernoulli(m.zeros(3), 1.0))  # p overrides the input's values
    check(lambda m: m.bernoulli(m.ones(2, dtype=m.float64), 0.0))
    check(lambda m: m.zeros(3).bernoulli_(m.tensor([0.0, 1.0, 1.0])))
    check(lambda m: m.zeros(2, 3).bernoulli_(m.ones(3)))  # broadcast probabilities
    check_raises(lambda m: m.bernoulli(m.tensor([float("nan")])))
    check_raises(lambda m: m.bernoulli(m.zeros(3), 1.5))
    kernel = {"types": (RuntimeError, NotImplementedError), "why": "kernel lookup vs check"}
    check_raises(lambda m: m.bernoulli(m.ones(3, dtype=m.int64)), **kernel)
    check_raises(lambda m: m.rand_like(m.zeros(2), dtype=m.int32), **kernel)


def test_generator_api_surface(check, check_raises):
    check(lambda m: m.Generator().manual_seed(2**64 - 1).initial_seed())
    check(lambda m: str(m.Generator().device))

    def clone_state(m):
        g = m.Generator().manual_seed(3)
        h = g.clone_state()
        return m.rand(4, generator=g).tolist() == m.rand(4, generator=h).tolist()

    check(clone_state)

    def fork(m):
        saved = m.get_rng_state()
        try:
            m.manual_seed(11)
            with m.random.fork_rng():
                m.rand(5)
            a = m.rand(3)
            m.manual_seed(11)
            return a.tolist() == m.rand(3).tolist()
        finally:
            m.set_rng_state(saved)

    check(fork)
    check_raises(lambda m: m.Generator().manual_seed(1.5))
    check_raises(lambda m: m.Generator().manual_seed("3"))
    check_raises(lambda m: m.Generator().manual_seed(True))
    check_raises(lambda m: m.Generator().manual_seed(2**64))
    check_raises(lambda m: m.rand(2, generator=5))


def test_tensor_attributes_second_audit(check, rand):
    for dt in DTYPES:
        x = rand(2, dtype=dt)
        check(lambda m, t: (t.is_signed(), t.is_complex(), t.dtype.is_complex), x)
        check(lambda m, t: t.type().rsplit(".", 1)[-1], x)
    check(lambda m: m.zeros(2).type("torch.LongTensor"))
    check(lambda m: m.zeros(2).type("torch.DoubleTensor"))
    for shape in [(0,), (2, 0, 3), (0, 0)]:
        check(lambda m, s=shape: (m.zeros(s).stride(), m.zeros(s).is_contiguous()))
    check(lambda m: m.zeros(1, 3).expand(4, 3).clone().stride())
    check(lambda m: m.zeros(1, 3).expand(4, 3).clone().is_contiguous())
    check(lambda m: m.zeros(2, 3).t().clone().stride())  # a dense transpose keeps its layout


def test_new_constructors(check, rand):
    x = rand(2, dtype="int32")
    check(lambda m, t: t.new_zeros(3), x)
    check(lambda m, t: t.new_zeros((2, 2), dtype=m.float64), x)
    check(lambda m, t: t.new_ones(2, 2), x)
    check(lambda m, t: t.new_full((2,), 3.7), x)
    check(lambda m, t: t.new_empty(3).shape, x)
    check(lambda m, t: t.new_empty(3).dtype, x)
    check(lambda m, t: t.new_tensor([1.5, 2]), x)


def test_copy_from_numbers_and_non_blocking(check, check_raises):
    check(lambda m: m.zeros(3).copy_(2.0))
    check(lambda m: m.zeros(2, dtype=m.int32).copy_(7))
    check(lambda m: m.zeros(3).copy_(m.ones(3), non_blocking=True))
    check_raises(lambda m: m.zeros(3).copy_([1, 2, 3]))
    check_raises(lambda m: m.zeros(3).copy_(np.ones(3)))
