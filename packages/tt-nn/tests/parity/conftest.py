"""tt-nn's parity fixtures (``check``, ``check_raises``, ``rand``): the shared helper
``tests-integration/test_support/tt_parity.py`` (see its docstring), with gradient tolerances.
"""

from __future__ import annotations

from tt_parity import GRADIENTS, fixtures

import tt_autograd  # noqa: F401  (importing it turns gradient tracking on)

check, check_raises, rand = fixtures(GRADIENTS)
