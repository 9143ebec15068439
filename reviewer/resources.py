"""The one way to find the data files shipped with the app (policy packs, keymap, wellbeing defaults).

They are edited in the top-level ``resources/`` folder of the checkout, which the build ships as the
package ``reviewer_resources`` (``setup.py`` maps the folder, ``pyproject.toml`` lists the files), and
they are found through :mod:`importlib.resources`, never by path arithmetic from a module's file: the
same call works from an editable install (the files in the checkout) and from an installed wheel:
``resource_path("policies", "community-standards.toml")``, ``read_resource_bytes("keymap.toml")``.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

#: The import name of the data package (the ``resources/`` folder).
RESOURCE_PACKAGE = "reviewer_resources"


class ResourceError(LookupError):
    """A shipped resource is missing, or not a plain file on disk where one is needed."""


def resource(*parts: str) -> Traversable:
    """The shipped resource at ``parts`` below ``resources/``: ``resource("policies", "x.toml")``.

    Each part is one name (no separators, no ``..``). The result may not exist; check ``is_file()``.
    """
    node = files(RESOURCE_PACKAGE)
    for part in parts:
        if not part or part in (".", "..") or "/" in part or "\\" in part:
            raise ValueError(f"resource path parts must be plain names, got {parts!r}")
        node = node.joinpath(part)
    return node


def resource_path(*parts: str) -> Path:
    """The shipped resource at ``parts`` as a file-system path (for messages, ``open``, copying).

    Wheels install unpacked and an editable install maps the package to the checkout, so this is a real
    path; a zipped install (not produced by pip) raises :class:`ResourceError` instead of a bad path.
    """
    node = resource(*parts)
    if not isinstance(node, Path):
        raise ResourceError(f"{RESOURCE_PACKAGE}/{'/'.join(parts)} is not on the file system ({node!r})")
    return node


def read_resource_bytes(*parts: str) -> bytes:
    """The content of the shipped resource at ``parts``; :class:`ResourceError` if it is missing."""
    node = resource(*parts)
    try:
        return node.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        raise ResourceError(f"{RESOURCE_PACKAGE}/{'/'.join(parts)}: no such resource") from exc
