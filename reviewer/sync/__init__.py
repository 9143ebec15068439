"""Team sync: a workstation's SQLite working copy and the team server (PostgreSQL, the same models).

- ``state``: the ``sync_state`` key/value rows; the server's own audit source.
- ``apply``: applying a pushed chain (a workstation's audit events and the rows they vouch for) to a
  target database, the server or the origin of a work pack: decisions applied or kept as conflicts.
- ``push`` / ``pull`` / ``engine``: one sync, push then pull; ``remote``: the server's address and the
  reviewer's credentials (OS keyring); ``connecting``: ``reviewer connect`` (checks, config, reviewers
  pulled); ``server``: ``server init`` and ``add-reviewer``; ``checkout``:
  cases taken offline; ``conflicts``: the lead's list and resolution.
"""
