"""Sealing sensitive values at rest under the instance's master key."""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class SecretSealer:
    """AES-256-GCM under the master key; the entity's identity is bound as associated data."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the master key must be 32 bytes")
        self._aead = AESGCM(master_key)

    def seal(self, kind: str, key: str, secret: dict[str, Any]) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        plaintext = json.dumps(secret, separators=(",", ":")).encode()
        return nonce + self._aead.encrypt(nonce, plaintext, _aad(kind, key))

    def unseal(self, kind: str, key: str, sealed: bytes) -> dict[str, Any]:
        nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        value: dict[str, Any] = json.loads(self._aead.decrypt(nonce, ciphertext, _aad(kind, key)))
        return value


def _aad(kind: str, key: str) -> bytes:
    return f"openscc-entity\0{kind}\0{key}".encode()
