"""The built wheel works on its own: resources and migrations ship, and the CLI runs from a fresh venv.

The wheel is built from a copy of the source (so no ``build/`` or egg-info is left in the checkout and a
stale ``build/lib`` cannot hide a missing file), installed with ``--no-deps`` into a new venv, and that
venv sees the test interpreter's site-packages for the dependencies through a ``.pth`` file. Directories
named in a ``.pth`` file are only appended to ``sys.path`` (their own ``.pth`` files are not run), so the
editable install's import hook stays out, and the wheel's copy of ``reviewer`` is what gets imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: What the build needs from the checkout.
SOURCES = ("reviewer", "ui", "resources", "pyproject.toml", "setup.py", "README.md")
BIN = "Scripts" if os.name == "nt" else "bin"

pytestmark = pytest.mark.slow


def _run(cmd: list[str | Path], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, (
        f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
        f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
    )
    return proc.stdout


def _build_wheel(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=ignore)
        else:
            shutil.copy2(origin, src / name)
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, src], cwd=tmp_path)
    (wheel,) = dist.glob("reviewer_workstation-*.whl")
    return wheel


def _venv_with_wheel(tmp_path: Path, wheel: Path) -> Path:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    python = venv / BIN / ("python.exe" if os.name == "nt" else "python")
    # Install before the .pth below exists, so pip sees no other copy of the project.
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel], cwd=tmp_path)
    purelib = Path(
        _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path).strip()
    )
    deps = dict.fromkeys(sysconfig.get_path(key) for key in ("purelib", "platlib"))
    (purelib / "_test_deps.pth").write_text("".join(f"{path}\n" for path in deps))
    return venv


def test_wheel_installs_and_runs_the_cli(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)

    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "reviewer_resources/" + path.relative_to(ROOT / "resources").as_posix()
        for path in (ROOT / "resources").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert {
        "reviewer_resources/policies/community-standards.toml",
        "reviewer_resources/keymap.toml",
        "reviewer_resources/wellbeing/org-defaults.toml",
    } <= shipped
    assert shipped <= names, f"resources missing from the wheel (add them to package-data): {shipped - names}"
    migrations = {
        "reviewer/storage/migrations/" + path.relative_to(ROOT / "reviewer/storage/migrations").as_posix()
        for path in (ROOT / "reviewer/storage/migrations").rglob("*")
        if path.is_file() and path.suffix in (".py", ".mako")
    }
    assert "reviewer/storage/migrations/script.py.mako" in migrations
    assert migrations <= names, f"migrations missing from the wheel: {migrations - names}"
    assert not any(name.startswith(("tests/", "resources/")) for name in names)

    venv = _venv_with_wheel(tmp_path, wheel)
    work = tmp_path / "work"  # cwd: no source tree anywhere near
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "REVIEWER_"))}
    env |= {"REVIEWER_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    python = venv / BIN / ("python.exe" if os.name == "nt" else "python")
    reviewer = venv / BIN / ("reviewer.exe" if os.name == "nt" else "reviewer")

    where = _run(
        [
            python,
            "-c",
            "import reviewer, reviewer_resources, ui\n"
            "from reviewer.policy import default_pack_path, load_default_pack\n"
            "from reviewer.resources import read_resource_bytes\n"
            "from reviewer.wellbeing.settings import default_org_policy_path, load_org_policy\n"
            "load_default_pack(); load_org_policy(default_org_policy_path())\n"
            "assert b'[bindings]' in read_resource_bytes('keymap.toml')\n"
            "for f in (reviewer.__file__, reviewer_resources.__file__, ui.__file__, default_pack_path()):\n"
            "    print(f)\n",
        ],
        work,
        env,
    )
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    assert len(where.splitlines()) == 4, where
    for line in where.splitlines():
        assert Path(line).resolve().is_relative_to(site.resolve()), f"{line} is not from the installed wheel"

    db = f"sqlite:///{(tmp_path / 'x.sqlite3').as_posix()}"
    assert "demo" in _run([reviewer, "--help"], work, env)
    _run([reviewer, "--db", db, "demo", "--cases", "50"], work, env)
    _run([reviewer, "--db", db, "audit", "verify"], work, env)
