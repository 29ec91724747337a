"""Test speed: RSA key generation served from a small pool of pre-made keys.

Generating a 2048-bit key takes 0.1-0.5 s, and every instance (UI certificate) and subaccount
makes one. Tests that are not about key generation take keys from a rotating pool instead, so
consecutive keys still differ (a CSR key never equals the next certificate's key).
"""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

POOL_SIZE = 6
_real_generate = rsa.generate_private_key
_pool: list[rsa.RSAPrivateKey] = []
_next = count()


def _pooled(public_exponent: int, key_size: int, backend: Any = None) -> rsa.RSAPrivateKey:
    if key_size != 2048 or public_exponent != 65537:
        return _real_generate(public_exponent=public_exponent, key_size=key_size)
    if len(_pool) < POOL_SIZE:
        _pool.append(_real_generate(public_exponent=65537, key_size=2048))
        return _pool[-1]
    return _pool[next(_next) % POOL_SIZE]


@pytest.fixture
def pooled_rsa_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rsa, "generate_private_key", _pooled)
