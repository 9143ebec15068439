"""Child processes that race each other over a line protocol on stdin/stdout (two app instances).

The tests send each child the same lines (the case ids, then "GO" so both start at once) and read one
line of answer per step; whatever happens, every child is stopped and its pipes closed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def line_children(
    commands: Sequence[Sequence[str]], cwd: Path | None = None
) -> Iterator[list[subprocess.Popen[str]]]:
    """Start one child per command with piped text stdin/stdout; kill and close them all on the way out."""
    children = [
        subprocess.Popen(list(cmd), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=cwd)
        for cmd in commands
    ]
    try:
        yield children
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
            for stream in (child.stdin, child.stdout):
                if stream:
                    stream.close()


def tell_all(children: Sequence[subprocess.Popen[str]], line: str) -> None:
    """Send ``line`` to every child, in order, as fast as possible (so they start together)."""
    for child in children:
        assert child.stdin
        child.stdin.write(line + "\n")
        child.stdin.flush()


def answer(child: subprocess.Popen[str]) -> list[str]:
    """The child's next line, split into words."""
    assert child.stdout
    return child.stdout.readline().split()
