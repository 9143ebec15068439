"""Sealed text values and the blind index of report words.

A sealed value is ``SEALED_PREFIX`` + URL-safe base64 (no padding) of a 96-bit random nonce and the
AES-GCM ciphertext with its tag. The associated data binds the table, the column and the row id, so a
sealed value copied to another row or column no longer opens. Opening never raises: a value that fails
its integrity check reads as ``TAMPERED``.

The blind index turns each distinct casefolded word of a report text into a signed 64-bit integer:
the first 8 bytes of HMAC-SHA256 under the index key. Without the key the terms say nothing about the
words; with it, a search word is looked up as its term.

A case also keeps its own terms in its row (``term_set``: each term as 8 big-endian bytes, ascending), so
a search checks a row it walks without another lookup: a term is in the set if its 8 bytes are found at
an offset that is a multiple of 8 (``term_bytes``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import struct
from collections import defaultdict
from itertools import repeat

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEALED_PREFIX = "s1:"
TAMPERED = "⟨this text failed its integrity check⟩"
NONCE_BYTES = 12
_WORD = re.compile(r"\w+")


def _aad(table: str, column: str, row_id: str) -> bytes:
    return f"reviewer text v1\x00{table}.{column}\x00{row_id}".encode()


def seal(aead: AESGCM, text: str, table: str, column: str, row_id: str) -> str:
    """``text`` sealed for row ``row_id`` (32 hex digits) of ``table.column``."""
    nonce = os.urandom(NONCE_BYTES)
    blob = nonce + aead.encrypt(nonce, text.encode("utf-8"), _aad(table, column, row_id))
    return SEALED_PREFIX + base64.urlsafe_b64encode(blob).rstrip(b"=").decode("ascii")


def seal_many(aead: AESGCM, texts: list[str], table: str, column: str, row_ids: list[str]) -> list[str]:
    """``seal`` of each text for its row, in bulk: the same values, with the nonces drawn at once and the
    associated data's common part built once (an import seals hundreds of thousands)."""
    head = _aad(table, column, "")
    nonces = os.urandom(NONCE_BYTES * len(texts))
    encrypt, encode = aead.encrypt, base64.urlsafe_b64encode
    out = []
    at = 0
    for text, row_id in zip(texts, row_ids, strict=True):
        nonce = nonces[at : at + NONCE_BYTES]
        at += NONCE_BYTES
        blob = nonce + encrypt(nonce, text.encode("utf-8"), head + row_id.encode())
        out.append(SEALED_PREFIX + encode(blob).rstrip(b"=").decode("ascii"))
    return out


def try_open(aead: AESGCM, value: str, table: str, column: str, row_id: str) -> str | None:
    """The text sealed in ``value`` for that row, or None if it is not a value sealed there by this key."""
    if not value.startswith(SEALED_PREFIX):
        return None
    body = value[len(SEALED_PREFIX) :]
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(blob) < NONCE_BYTES + 16:
        return None
    try:
        plain = aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(table, column, row_id))
    except InvalidTag:
        return None
    return plain.decode("utf-8", errors="replace")


def words(text: str) -> set[str]:
    """The distinct casefolded words of ``text`` (runs of letters, digits and underscores)."""
    return set(_WORD.findall(text.casefold()))


def term_bytes(value: int) -> bytes:
    """One term as it is stored in a ``term_set``: 8 big-endian bytes (two's complement)."""
    return struct.pack(">q", value)


def term_set(terms: set[int] | list[int]) -> bytes:
    """A text's distinct terms as one value for its row: ``term_bytes`` of each, ascending."""
    ordered = sorted(terms)
    return struct.pack(f">{len(ordered)}q", *ordered)


def term(index_key: bytes, word: str) -> int:
    """The blind index term of one casefolded word: a signed 64-bit integer."""
    digest = hmac.digest(index_key, word.encode("utf-8"), hashlib.sha256)
    return int(struct.unpack_from(">q", digest)[0])


class TermIndex:
    """``terms`` of many texts under one key: the HMAC key schedule done once, recent words remembered
    (report texts share most of their words; an import computes each distinct word once)."""

    MAX_REMEMBERED = 200_000

    def __init__(self, index_key: bytes) -> None:
        self._mac = hmac.new(index_key, digestmod=hashlib.sha256)
        self._known: dict[str, int] = {}

    def term(self, word: str) -> int:
        found = self._known.get(word)
        if found is None:
            mac = self._mac.copy()
            mac.update(word.encode("utf-8"))
            found = int(struct.unpack_from(">q", mac.digest())[0])
            if len(self._known) >= self.MAX_REMEMBERED:
                self._known.clear()
            self._known[word] = found
        return found

    def terms(self, text: str) -> set[int]:
        """The terms of ``text``'s distinct casefolded words (as :func:`words` finds them; repeated words
        are looked up again rather than collected in a set first)."""
        known, term = self._known, self.term
        return {known.get(w) or term(w) for w in _WORD.findall(text.casefold())}

    def term_rows_and_sets(
        self, texts: list[str], row_ids: list[str]
    ) -> tuple[list[tuple[int, str]], list[bytes]]:
        """``(term, row id)`` for every term of each text, in ``(term, row id)`` order (b-tree order), and
        each text's ``term_set``. Grouped by term first: sorting the few distinct terms is far cheaper
        than sorting every pair."""
        found, at, made = self.term_parts(texts)
        rows = list(zip(found, map(row_ids.__getitem__, at), strict=True))
        if any(a > b for a, b in zip(row_ids, row_ids[1:], strict=False)):  # an import's ids ascend
            rows.sort()
        return rows, made

    def term_parts(self, texts: list[str]) -> tuple[list[int], list[int], list[bytes]]:
        """``term_rows_and_sets`` by position: the terms and, beside each, the index of its text, in
        ``(term, index)`` order (the same order as the rows when the texts' row ids ascend), and each
        text's ``term_set``."""
        by_term: defaultdict[int, list[int]] = defaultdict(list)
        terms = self.terms
        made: list[bytes] = []
        for index, text in enumerate(texts):
            distinct = terms(text)
            made.append(term_set(distinct))
            for found in distinct:
                by_term[found].append(index)
        term_column: list[int] = []
        index_column: list[int] = []
        for found in sorted(by_term):
            at = by_term[found]
            term_column.extend(repeat(found, len(at)))
            index_column.extend(at)  # ascending: appended in text order
        return term_column, index_column, made


class BulkSealer:
    """Sealing and index terms for many rows, from a vault's two derived keys: what an import's
    validation workers get (inherited by fork, or pickled over the pool's pipe to a child process of the
    same user; never written anywhere). The values are those of ``seal_many`` and ``TermIndex``."""

    def __init__(self, text_key: bytes, index_key: bytes) -> None:
        self._keys = (text_key, index_key)
        self._aead = AESGCM(text_key)
        self._index = TermIndex(index_key)

    def __reduce__(self) -> tuple[type[BulkSealer], tuple[bytes, bytes]]:
        return (BulkSealer, self._keys)

    def __repr__(self) -> str:
        return "BulkSealer(<keys>)"

    def seal_texts(self, texts: list[str], table: str, column: str, row_ids: list[str]) -> list[str]:
        return seal_many(self._aead, texts, table, column, row_ids)

    def term_parts(self, texts: list[str]) -> tuple[list[int], list[int], list[bytes]]:
        return self._index.term_parts(texts)
