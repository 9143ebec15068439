"""A figure family as a plain table: typed columns, rows, and a hint for its chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Column kinds: how a value is typed in a spreadsheet and formatted on screen.
KINDS = ("text", "int", "float", "date", "seconds", "percent")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Table:
    """``chart``: "bar" or "line"; ``x`` the category column, ``series`` the value columns drawn."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    chart: str = "bar"
    x: int = 0
    series: tuple[int, ...] = field(default=(1,))

    def column(self, name: str) -> list[Any]:
        i = [c.name for c in self.columns].index(name)
        return [row[i] for row in self.rows]
