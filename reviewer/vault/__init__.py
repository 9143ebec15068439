"""Data at rest: a per-database key in the OS keyring, sealed texts, sealed media, private files.

- ``keys``: the data key (OS keyring, or a labelled 0600 file) and the subkeys derived from it.
- ``sealing``: sealed text values (AES-GCM, bound to table, column and row) and blind index terms.
- ``media``: the chunked sealed file format of the media store.
- ``state``: the vault row and key of a database (``vault_in``, ``create_vault``).
- ``opening``: ``ensure_vault`` (first need), ``open_vault``, ``allow_file_key``, ``media_store_of``.
- ``status``: the few words the window shows.
- ``legacy``: the one pass that seals an older version's plain values.
- ``permissions``: umask, and tightening of files an older version left open.
"""
