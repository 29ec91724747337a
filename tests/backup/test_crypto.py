"""The chunked AES-256-GCM stream (STREAM construction) of the encrypted member."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from openscc.backup import crypto
from openscc.backup.crypto import (
    CHUNK_BYTES,
    NONCE_PREFIX_BYTES,
    SEALED_CHUNK_BYTES,
    TAG_BYTES,
    StreamDecryptor,
    StreamEncryptor,
    decrypt_stream,
    encrypt_stream,
    member_aad,
)
from openscc.errors import CorruptArchive

KEY = bytes(range(32))
PREFIX = bytes.fromhex("00112233445566")
AAD = member_aad("secrets.jsonl.enc", 1)
KIB = 1024
BOUNDARY_SIZES = [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2 * CHUNK_BYTES, 200 * KIB]


def _payload(size: int) -> bytes:
    return (os.urandom(64) * (size // 64 + 1))[:size]


def _split(stream: bytes) -> tuple[bytes, list[bytes]]:
    """The nonce prefix and the sealed chunks of a stream."""
    body = stream[NONCE_PREFIX_BYTES:]
    chunks = [body[i : i + SEALED_CHUNK_BYTES] for i in range(0, len(body), SEALED_CHUNK_BYTES)]
    return stream[:NONCE_PREFIX_BYTES], chunks or [b""]


@pytest.mark.parametrize("size", BOUNDARY_SIZES)
def test_stream_round_trips_at_chunk_boundaries(size: int) -> None:
    """Any plaintext length, around and across chunk boundaries, decrypts to itself."""
    plaintext = _payload(size)

    sealed = encrypt_stream(KEY, plaintext, aad=AAD, nonce_prefix=PREFIX)

    assert decrypt_stream(KEY, sealed, aad=AAD) == plaintext


@pytest.mark.parametrize("size", BOUNDARY_SIZES)
def test_stream_length_is_prefix_plus_one_tag_per_chunk(size: int) -> None:
    """Chunks hold 64 KiB of plaintext; only the last is shorter, and an empty stream is one tag."""
    chunks = max(1, -(-size // CHUNK_BYTES))

    sealed = encrypt_stream(KEY, _payload(size), aad=AAD, nonce_prefix=PREFIX)

    assert len(sealed) == NONCE_PREFIX_BYTES + size + chunks * TAG_BYTES


@pytest.mark.parametrize("piece", [1, 7, 4096, CHUNK_BYTES + 3])
@pytest.mark.parametrize("size", [0, CHUNK_BYTES, CHUNK_BYTES + 1, 200 * KIB])
def test_stream_output_does_not_depend_on_how_input_is_split(size: int, piece: int) -> None:
    """Feeding the encryptor and decryptor in pieces of any size gives the same bytes."""
    plaintext = _payload(size)
    whole = encrypt_stream(KEY, plaintext, aad=AAD, nonce_prefix=PREFIX)
    encryptor = StreamEncryptor(KEY, aad=AAD, nonce_prefix=PREFIX)
    decryptor = StreamDecryptor(KEY, aad=AAD)

    sealed = b"".join(encryptor.update(plaintext[i : i + piece]) for i in range(0, size, piece))
    sealed += encryptor.finalize()
    opened = b"".join(decryptor.update(sealed[i : i + piece]) for i in range(0, len(sealed), piece))
    opened += decryptor.finalize()

    assert sealed == whole
    assert opened == plaintext


@settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=3 * CHUNK_BYTES), piece=st.integers(1, 2 * CHUNK_BYTES))
def test_stream_round_trips_any_plaintext(plaintext: bytes, piece: int) -> None:
    """Property: decrypt(encrypt(p)) == p, whatever the pieces."""
    encryptor = StreamEncryptor(KEY, aad=AAD, nonce_prefix=os.urandom(NONCE_PREFIX_BYTES))
    sealed = b"".join(
        encryptor.update(plaintext[i : i + piece]) for i in range(0, len(plaintext), piece)
    )
    sealed += encryptor.finalize()

    assert decrypt_stream(KEY, sealed, aad=AAD) == plaintext


def test_decryptor_memory_stays_at_about_one_chunk() -> None:
    """The decryptor buffers at most one sealed chunk, however much ciphertext is fed at once."""
    sealed = encrypt_stream(KEY, _payload(5 * CHUNK_BYTES + 9), aad=AAD, nonce_prefix=PREFIX)
    decryptor = StreamDecryptor(KEY, aad=AAD)

    decryptor.update(sealed)

    assert len(decryptor._buffer) <= SEALED_CHUNK_BYTES


def test_known_answer() -> None:
    """A fixed key, nonce prefix, AAD and plaintext give exactly the committed ciphertext."""
    plaintext = b'{"kind":"user","key":"admin","secret":{"passwordHash":"x"}}\n'
    key = bytes.fromhex("76ebbc1e546a6161a2303490a233cb335c8dd3ec2cd520da81abf83bd0264c51")

    sealed = encrypt_stream(key, plaintext, aad=AAD, nonce_prefix=PREFIX)

    assert sealed.hex() == (
        "00112233445566211812b50490a4bb62ec596dc6849e094c079d2a58b303a2e6c136ac3dea4f431e3cacfe"
        "58e117db3bf9d6464180ec162752339bd47f26b227eead21a23c751f94100acdbc7685445be3c6b4"
    )


def test_nonce_is_prefix_counter_and_final_flag() -> None:
    """Chunk i is plain AES-256-GCM under nonce prefix || i (4 bytes BE) || final flag."""
    plaintext = _payload(CHUNK_BYTES + 10)

    prefix, chunks = _split(encrypt_stream(KEY, plaintext, aad=AAD, nonce_prefix=PREFIX))

    aead = AESGCM(KEY)
    assert prefix == PREFIX
    assert aead.decrypt(PREFIX + b"\0\0\0\0" + b"\0", chunks[0], AAD) == plaintext[:CHUNK_BYTES]
    assert aead.decrypt(PREFIX + b"\0\0\0\1" + b"\1", chunks[1], AAD) == plaintext[CHUNK_BYTES:]


def _three_chunk_stream() -> tuple[bytes, list[bytes]]:
    return _split(encrypt_stream(KEY, _payload(2 * CHUNK_BYTES + 5), aad=AAD, nonce_prefix=PREFIX))


@pytest.mark.parametrize(
    "rearrange",
    [
        pytest.param(lambda c: [c[1], c[0], c[2]], id="swap-first-two"),
        pytest.param(lambda c: [c[0], c[2]], id="drop-middle"),
        pytest.param(lambda c: [c[0], c[1]], id="drop-final"),
        pytest.param(lambda c: [c[0], c[0], c[1], c[2]], id="duplicate-first"),
        pytest.param(lambda c: [c[0], c[1], c[2], c[2]], id="duplicate-final"),
        pytest.param(lambda c: [c[1], c[2]], id="drop-first"),
        pytest.param(lambda c: [c[0], c[1], c[2][:-1]], id="cut-final-tag"),
        pytest.param(lambda c: [c[0], c[1], c[2] + b"x"], id="trailing-byte"),
    ],
)
def test_rearranged_chunks_are_refused(rearrange) -> None:
    """Reordering, dropping, duplicating or cutting chunks fails authentication."""
    prefix, chunks = _three_chunk_stream()
    tampered = prefix + b"".join(rearrange(chunks))

    with pytest.raises(CorruptArchive, match=r"^archive is corrupt: encrypted member"):
        decrypt_stream(KEY, tampered, aad=AAD)


@pytest.mark.parametrize("offset", [0, 6, 7, 100, SEALED_CHUNK_BYTES + 6, -1])
def test_flipped_byte_is_refused(offset: int) -> None:
    """A flipped bit in the prefix, a body or a tag fails authentication."""
    sealed = bytearray(
        encrypt_stream(KEY, _payload(CHUNK_BYTES + 50), aad=AAD, nonce_prefix=PREFIX)
    )
    sealed[offset] ^= 0x01

    with pytest.raises(CorruptArchive):
        decrypt_stream(KEY, bytes(sealed), aad=AAD)


@pytest.mark.parametrize("length", [0, 3, NONCE_PREFIX_BYTES, NONCE_PREFIX_BYTES + TAG_BYTES - 1])
def test_stream_shorter_than_one_tag_is_refused(length: int) -> None:
    """A stream cut before its first tag is complete is truncated, not empty."""
    sealed = encrypt_stream(KEY, b"", aad=AAD, nonce_prefix=PREFIX)

    with pytest.raises(CorruptArchive, match="truncated"):
        decrypt_stream(KEY, sealed[:length], aad=AAD)


def test_stream_is_bound_to_member_name_and_format_version() -> None:
    """Ciphertext made for one member or format version does not open as another."""
    sealed = encrypt_stream(KEY, b"secret", aad=AAD, nonce_prefix=PREFIX)

    for other in (member_aad("config.jsonl", 1), member_aad("secrets.jsonl.enc", 2)):
        with pytest.raises(CorruptArchive):
            decrypt_stream(KEY, sealed, aad=other)


def test_wrong_key_is_refused() -> None:
    """Another key fails authentication at the first chunk."""
    sealed = encrypt_stream(KEY, b"secret", aad=AAD, nonce_prefix=PREFIX)

    with pytest.raises(CorruptArchive, match="chunk 0"):
        decrypt_stream(bytes(32), sealed, aad=AAD)


def test_empty_final_chunk_after_a_full_one_is_refused() -> None:
    """Only one encoding is valid: a full chunk is final itself, never followed by an empty one."""
    plaintext = _payload(CHUNK_BYTES)
    aead = AESGCM(KEY)
    sealed = (
        PREFIX
        + aead.encrypt(PREFIX + b"\0\0\0\0\0", plaintext, AAD)
        + aead.encrypt(PREFIX + b"\0\0\0\1\1", b"", AAD)
    )

    with pytest.raises(CorruptArchive, match="empty chunk"):
        decrypt_stream(KEY, sealed, aad=AAD)


def test_finalized_streams_refuse_more_input() -> None:
    """Using an encryptor or decryptor after finalize() is a programming error."""
    encryptor = StreamEncryptor(KEY, aad=AAD, nonce_prefix=PREFIX)
    sealed = encryptor.finalize()
    decryptor = StreamDecryptor(KEY, aad=AAD)
    decryptor.update(sealed)
    decryptor.finalize()

    for call in (lambda: encryptor.update(b"x"), encryptor.finalize, decryptor.finalize):
        with pytest.raises(ValueError, match="finalized"):
            call()


def test_nonce_prefix_must_be_seven_bytes() -> None:
    """The prefix, counter and flag fill exactly the 12-byte GCM nonce."""
    with pytest.raises(ValueError, match="7 bytes"):
        StreamEncryptor(KEY, aad=AAD, nonce_prefix=b"\0" * 8)


def test_counter_cannot_wrap() -> None:
    """A stream never reuses a nonce: the 4-byte counter refuses to wrap around."""
    with pytest.raises(OverflowError):
        crypto._nonce(PREFIX, 2**32, final=False)
