"""The floor: what the same data costs to serialise, deflate and encrypt in plain Python.

No HTTP, no database, no archive container, no hashing: the records are already in memory as
Python objects, each becomes one JSON line, the lines are deflated (zlib's default level, as ZIP
members are) and the deflated stream is sealed with AES-256-GCM in 64 KiB chunks. The reverse
(open, inflate, parse every line) is reported beside it for restore.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import zlib
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from openscc.backup.kdf import derive_keys, production_kdf
from openscc.store.records import EntityRecord

CHUNK = 64 * 1024
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def _seal(aead: AESGCM, prefix: bytes, counter: int, chunk: bytes) -> bytes:
    return aead.encrypt(prefix + counter.to_bytes(5, "big"), chunk, None)


def serialise_deflate_encrypt(records: Sequence[EntityRecord], key: bytes) -> list[bytes]:
    """The sealed chunks of all records as JSON lines, deflated."""
    aead = AESGCM(key)
    prefix = os.urandom(7)
    deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    sealed: list[bytes] = []
    pending = bytearray()
    compressed = bytearray()
    counter = 0
    for record in records:
        line = {
            "kind": record.kind,
            "key": record.key,
            "parent": record.parent,
            "body": record.body,
            "secret": record.secret,
        }
        pending += _ENCODER.encode(line).encode()
        pending += b"\n"
        if len(pending) >= CHUNK:
            compressed += deflate.compress(pending)
            pending.clear()
            while len(compressed) >= CHUNK:
                sealed.append(_seal(aead, prefix, counter, bytes(compressed[:CHUNK])))
                del compressed[:CHUNK]
                counter += 1
    compressed += deflate.compress(pending)
    compressed += deflate.flush()
    for start in range(0, len(compressed), CHUNK):
        sealed.append(_seal(aead, prefix, counter, bytes(compressed[start : start + CHUNK])))
        counter += 1
    return [prefix, *sealed]


def decrypt_inflate_parse(sealed: list[bytes], key: bytes) -> int:
    """The reverse: open every chunk, inflate, parse every line; the number of records."""
    aead = AESGCM(key)
    prefix, chunks = sealed[0], sealed[1:]
    inflate = zlib.decompressobj(-15)
    pending = bytearray()
    count = 0
    for counter, chunk in enumerate(chunks):
        pending += inflate.decompress(
            aead.decrypt(prefix + counter.to_bytes(5, "big"), chunk, None)
        )
        lines = pending.split(b"\n")
        pending = bytearray(lines.pop())
        for line in lines:
            json.loads(line)
            count += 1
    pending += inflate.flush()
    for line in pending.split(b"\n"):
        if line:
            json.loads(line)
            count += 1
    return count


def measure_floor(records: Sequence[EntityRecord], runs: int) -> dict[str, float]:
    """Median seconds of the floor and its reverse over ``runs`` runs, and the output size."""
    key = os.urandom(32)
    forward: list[float] = []
    forward_cpu: list[float] = []
    reverse: list[float] = []
    size = 0
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        sealed = serialise_deflate_encrypt(records, key)
        forward.append(time.perf_counter() - start)
        forward_cpu.append(time.process_time() - cpu)
        size = sum(len(c) for c in sealed)
        start = time.perf_counter()
        count = decrypt_inflate_parse(sealed, key)
        reverse.append(time.perf_counter() - start)
        if count != len(records):
            raise AssertionError(f"floor read back {count} of {len(records)} records")
    return {
        "floor_s": statistics.median(forward),
        "floor_cpu_s": statistics.median(forward_cpu),
        "reverse_s": statistics.median(reverse),
        "bytes": float(size),
    }


def measure_kdf(runs: int) -> float:
    """Median seconds of one production Argon2id derivation (with its HKDF subkeys)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        derive_keys("bench-password", production_kdf())
        times.append(time.perf_counter() - start)
    return statistics.median(times)
