"""Sealed text values: bound to their row and column, tamper shows a marker, blind index terms."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from reviewer.vault import sealing

AEAD = AESGCM(os.urandom(32))
ROW, OTHER = "a" * 32, "b" * 32


def test_round_trip_and_fresh_nonce_each_time() -> None:
    one = sealing.seal(AEAD, "Ünïcode ⟨text⟩ \u202e", "case", "report_text", ROW)
    two = sealing.seal(AEAD, "Ünïcode ⟨text⟩ \u202e", "case", "report_text", ROW)
    assert one != two and one.startswith(sealing.SEALED_PREFIX) and "text" not in one
    assert sealing.try_open(AEAD, one, "case", "report_text", ROW) == "Ünïcode ⟨text⟩ \u202e"


def test_a_value_does_not_open_in_another_row_column_or_table() -> None:
    value = sealing.seal(AEAD, "secret", "case", "report_text", ROW)
    assert sealing.try_open(AEAD, value, "case", "report_text", OTHER) is None
    assert sealing.try_open(AEAD, value, "item", "text", ROW) is None
    assert sealing.try_open(AESGCM(os.urandom(32)), value, "case", "report_text", ROW) is None


def test_tampered_and_plain_values_do_not_open() -> None:
    value = sealing.seal(AEAD, "secret", "case", "report_text", ROW)
    flipped = value[:-3] + ("A" if value[-3] != "A" else "B") + value[-2:]
    for bad in (flipped, value[:-4], "s1:", "s1:!!!", "plain text", sealing.SEALED_PREFIX + "AAAA"):
        assert sealing.try_open(AEAD, bad, "case", "report_text", ROW) is None


def test_terms_are_keyed_casefolded_whole_words() -> None:
    key = os.urandom(32)
    assert sealing.words("Graphic INJURY, graphic-injury! ünï") == {"graphic", "injury", "ünï"}
    index = sealing.TermIndex(key)
    assert index.terms("Caption") == index.terms("caption") == {sealing.term(key, "caption")}
    assert index.terms("caption") != sealing.TermIndex(os.urandom(32)).terms("caption")
    assert index.terms("a b c d e") == {sealing.term(key, w) for w in "abcde"}  # remembered or not
    assert all(-(2**63) <= t < 2**63 for t in index.terms("a b c d e"))


def test_sealing_in_bulk_gives_values_that_open_only_in_their_own_row() -> None:
    texts = ["first ⟨one⟩", "", "third \u202e", "first ⟨one⟩"]
    rows = [f"{n:032x}" for n in (3, 1, 2, 4)]
    values = sealing.seal_many(AEAD, texts, "item", "text", rows)
    assert len(set(values)) == len(values)  # a fresh nonce for every value, equal texts included
    for value, text, row in zip(values, texts, rows, strict=True):
        assert value.startswith(sealing.SEALED_PREFIX)
        assert sealing.try_open(AEAD, value, "item", "text", row) == text
        assert sealing.try_open(AEAD, value, "case", "report_text", row) is None
    assert sealing.try_open(AEAD, values[0], "item", "text", rows[3]) is None
    assert sealing.seal_many(AEAD, [], "item", "text", []) == []


def test_term_rows_are_every_distinct_term_of_each_text_in_b_tree_order() -> None:
    key = os.urandom(32)
    texts = ["Report 7: spam spam", "", "spam and eggs", "REPORT 9", "report 7"]
    rows = [f"{n:032x}" for n in (5, 1, 4, 2, 3)]  # not in order: each term's rows are sorted anyway
    got, _sets = sealing.TermIndex(key).term_rows_and_sets(texts, rows)
    fresh = sealing.TermIndex(key)
    want = sorted((t, row) for text, row in zip(texts, rows, strict=True) for t in fresh.terms(text))
    assert got == want and len(set(got)) == len(got)
    assert sealing.TermIndex(key).term_rows_and_sets([], []) == ([], [])
