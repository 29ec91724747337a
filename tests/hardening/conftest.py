from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# A bounded run in `make test`; `make fuzz` selects the long profile.
settings.register_profile(
    "bounded", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("OPENSCC_FUZZ_PROFILE", "bounded"))
