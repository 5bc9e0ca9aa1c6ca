"""Parity of the deterministic transforms with torchvision's formulas, written in torch.

torchvision is not installed here, so the reference is torchvision's own tensor code path
(``ToTensor``: ``from_numpy(pic).permute(2, 0, 1).contiguous().float().div(255)``;
``Normalize``: ``(t - mean[:, None, None]) / std[:, None, None]``), run in torch.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tt_data.transforms import Compose, Normalize, ToTensor

pytestmark = pytest.mark.parity


def _uint8(*shape: int) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 1), (5, 7, 3)])
def test_to_tensor_equals_torchvision_formula(shape: tuple[int, ...]) -> None:
    pic = _uint8(*shape)
    hwc = pic[:, :, None] if pic.ndim == 2 else pic
    want = torch.from_numpy(hwc).permute(2, 0, 1).contiguous().float().div(255)
    got = ToTensor()(pic)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_normalize_and_fused_pipeline_equal_torch_formula() -> None:
    x = _uint8(8, 28, 28, 3)
    mean, std = (0.49, 0.48, 0.45), (0.25, 0.24, 0.26)
    t = torch.from_numpy(x).permute(0, 3, 1, 2).float().div(255)
    want = (t - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    got = Normalize(mean, std)(ToTensor()(x))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    gray = _uint8(8, 28, 28)
    tg = torch.from_numpy(gray).unsqueeze(1).float().div(255)
    fused = Compose([ToTensor(batch=True), Normalize((0.2860,), (0.3530,))])(gray)
    # Compose's fused uint8 path rounds differently (k * a + b, see _to_tensor_normalize):
    # within a few float32 ulps of |out| <= 2.1 here, not bit-equal.
    eps = float(np.finfo(np.float32).eps)
    np.testing.assert_allclose(
        fused.numpy(), ((tg - 0.2860) / 0.3530).numpy(), rtol=0, atol=8 * eps
    )
