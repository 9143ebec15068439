"""Data shipped with Reviewer Workstation, installed as the package ``reviewer_resources``.

Edit the files here; find them at run time with :mod:`reviewer.resources`, never by path arithmetic.
A new file type or folder must also be listed under ``package-data`` in ``pyproject.toml``
(``tests/packaging/test_wheel.py`` checks that every file here is in the wheel).
"""
