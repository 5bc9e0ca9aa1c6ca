"""tt-tensor's parity fixtures (``check``, ``check_raises``, ``rand``): the shared helper
``tests-integration/test_support/tt_parity.py`` (see its docstring), with forward-op
tolerances.  This suite must not import tt_autograd (gradients are compared in tt-autograd's
suite), but the parity session runs every suite in one process, so these tests must also pass
with tt_autograd imported.
"""

from __future__ import annotations

from tt_parity import FORWARD, fixtures

check, check_raises, rand = fixtures(FORWARD)
