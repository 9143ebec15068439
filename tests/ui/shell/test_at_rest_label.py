"""The status bar says how the database is kept at rest: keyring, demo key in a file, or not encrypted."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import keyring
import pytest
from pytestqt.qtbot import QtBot

from reviewer.audit.keys import forget_cached_keys as forget_audit_keys
from reviewer.demo import DemoSpec, build_demo
from reviewer.storage.database import Database
from reviewer.vault.state import forget_cached_keys
from tests.support.waiting import UI_WAIT_MS
from ui.shell.context import start_context
from ui.shell.main_window import MainWindow


def _set_backend(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", name)
    keyring.core.init_backend()
    forget_cached_keys()
    forget_audit_keys()


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _set_backend(monkeypatch, "keyring.backends.fail.Keyring")
    yield
    _set_backend(monkeypatch, "keyrings.alt.file.PlaintextKeyring")


@pytest.fixture
def open_window(db: Database, pack, qtbot: QtBot) -> Iterator[Callable[[], MainWindow]]:  # type: ignore[no-untyped-def]
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        w = MainWindow(start_context(db, pack, backup=False))
        qtbot.addWidget(w)
        w.show()
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.shutdown()


def _label_settles(qtbot: QtBot, w: MainWindow) -> str:
    qtbot.waitUntil(lambda: w.at_rest.text() != "checking encryption…", timeout=UI_WAIT_MS)
    return w.at_rest.text()


def test_a_database_with_its_key_in_the_keyring(db: Database, open_window, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    build_demo(db, DemoSpec(cases=5, images=2))
    assert _label_settles(qtbot, open_window()) == "encrypted · keyring"


def test_the_demo_without_a_keyring_says_its_key_is_in_a_file(  # type: ignore[no-untyped-def]
    db: Database, open_window, qtbot: QtBot, no_keyring: None
) -> None:
    build_demo(db, DemoSpec(cases=5, images=2))
    w = open_window()
    assert _label_settles(qtbot, w) == "demo key in a file"
    assert "weaker" in w.at_rest.toolTip()


def test_an_older_database_without_a_keyring_is_labelled_not_encrypted(  # type: ignore[no-untyped-def]
    db: Database, make_cases, open_window, qtbot: QtBot, no_keyring: None
) -> None:
    make_cases(3)  # written as an older version did: plain, no key
    w = open_window()
    assert _label_settles(qtbot, w) == "NOT encrypted"
    assert "allow-file-key" in w.at_rest.toolTip()
