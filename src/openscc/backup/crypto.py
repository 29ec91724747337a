"""Chunked AES-256-GCM (the STREAM construction) for the encrypted member of an archive.

Layout of an encrypted member: a 7-byte random nonce prefix, then chunks of ``CHUNK_BYTES`` of
plaintext, each sealed with its own 16-byte tag. The nonce of chunk ``i`` is
``prefix || i (4 bytes, big-endian) || final (1 byte: 1 for the last chunk, else 0)``, so a chunk
moved, repeated or dropped, and a stream cut at a chunk boundary, all fail authentication. Only the
last chunk may be shorter than ``CHUNK_BYTES``; it is empty only when the whole stream is empty.
Memory stays at about one chunk whatever the stream's length.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from openscc.errors import CorruptArchive

CHUNK_BYTES = 64 * 1024
TAG_BYTES = 16
NONCE_PREFIX_BYTES = 7
SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES
_MAX_CHUNKS = 2**32  # the counter is 4 bytes wide

_AAD_LABEL = b"openscc backup encrypted member\x00"


def member_aad(member_name: str, format_version: int) -> bytes:
    """Associated data that binds a stream to its member name and archive format version."""
    return _AAD_LABEL + format_version.to_bytes(4, "big") + member_name.encode("utf-8")


def _nonce(prefix: bytes, counter: int, *, final: bool) -> bytes:
    if counter >= _MAX_CHUNKS:
        raise OverflowError("encrypted stream is longer than 2**32 chunks")
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


class StreamEncryptor:
    """Seal a plaintext fed in pieces of any size into the chunked stream format."""

    __slots__ = ("_aad", "_aead", "_buffer", "_counter", "_finished", "_prefix", "_started")

    def __init__(self, key: bytes, *, aad: bytes, nonce_prefix: bytes) -> None:
        if len(nonce_prefix) != NONCE_PREFIX_BYTES:
            raise ValueError(f"nonce prefix must be {NONCE_PREFIX_BYTES} bytes")
        self._aead = AESGCM(key)
        self._aad = aad
        self._prefix = nonce_prefix
        self._buffer = bytearray()
        self._counter = 0
        self._started = False
        self._finished = False

    def update(self, data: bytes) -> bytes:
        """Return the ciphertext that is ready; a full chunk is held back until more data comes."""
        if self._finished:
            raise ValueError("stream already finalized")
        self._buffer += data
        out = bytearray(self._header())
        # Strictly more than one chunk: only then is the first one known not to be the last.
        while len(self._buffer) > CHUNK_BYTES:
            out += self._seal(bytes(self._buffer[:CHUNK_BYTES]), final=False)
            del self._buffer[:CHUNK_BYTES]
        return bytes(out)

    def finalize(self) -> bytes:
        """Seal what is left as the final chunk and return it."""
        if self._finished:
            raise ValueError("stream already finalized")
        self._finished = True
        out = self._header() + self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()
        return out

    def _header(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        return self._prefix

    def _seal(self, chunk: bytes, *, final: bool) -> bytes:
        nonce = _nonce(self._prefix, self._counter, final=final)
        self._counter += 1
        return self._aead.encrypt(nonce, chunk, self._aad)


class StreamDecryptor:
    """Open a chunked stream fed in pieces of any size; every chunk is authenticated before use."""

    __slots__ = ("_aad", "_aead", "_buffer", "_counter", "_finished", "_prefix")

    def __init__(self, key: bytes, *, aad: bytes) -> None:
        self._aead = AESGCM(key)
        self._aad = aad
        self._prefix: bytes | None = None
        self._buffer = bytearray()
        self._counter = 0
        self._finished = False

    def update(self, data: bytes) -> bytes:
        """Return the plaintext of every chunk that is now complete and known not to be last."""
        if self._finished:
            raise ValueError("stream already finalized")
        self._buffer += data
        if self._prefix is None:
            if len(self._buffer) < NONCE_PREFIX_BYTES:
                return b""
            self._prefix = bytes(self._buffer[:NONCE_PREFIX_BYTES])
            del self._buffer[:NONCE_PREFIX_BYTES]
        out = bytearray()
        while len(self._buffer) > SEALED_CHUNK_BYTES:
            out += self._open(bytes(self._buffer[:SEALED_CHUNK_BYTES]), final=False)
            del self._buffer[:SEALED_CHUNK_BYTES]
        return bytes(out)

    def finalize(self) -> bytes:
        """Open the final chunk; a stream cut short or missing its final chunk is refused here."""
        if self._finished:
            raise ValueError("stream already finalized")
        self._finished = True
        if self._prefix is None or len(self._buffer) < TAG_BYTES:
            raise CorruptArchive("encrypted member is truncated")
        plaintext = self._open(bytes(self._buffer), final=True)
        self._buffer.clear()
        if not plaintext and self._counter > 1:
            # The encryptor never writes an empty final chunk after a full one: one encoding only.
            raise CorruptArchive("encrypted member ends with an empty chunk")
        return plaintext

    def _open(self, sealed: bytes, *, final: bool) -> bytes:
        prefix = self._prefix or b""  # always set by update() before the first chunk is opened
        counter = self._counter
        self._counter += 1
        try:
            return self._aead.decrypt(_nonce(prefix, counter, final=final), sealed, self._aad)
        except (InvalidTag, OverflowError):
            raise CorruptArchive(
                f"encrypted member failed authentication at chunk {counter}"
            ) from None


def encrypt_stream(key: bytes, plaintext: bytes, *, aad: bytes, nonce_prefix: bytes) -> bytes:
    """Seal a whole plaintext at once (for small streams and tests)."""
    encryptor = StreamEncryptor(key, aad=aad, nonce_prefix=nonce_prefix)
    return encryptor.update(plaintext) + encryptor.finalize()


def decrypt_stream(key: bytes, ciphertext: bytes, *, aad: bytes) -> bytes:
    """Open a whole stream at once (for small streams and tests)."""
    decryptor = StreamDecryptor(key, aad=aad)
    return decryptor.update(ciphertext) + decryptor.finalize()
