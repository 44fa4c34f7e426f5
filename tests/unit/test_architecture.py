"""The import contracts of .importlinter hold (layers, pure rules, stores that only store,
notifications below the domains, no SQL behind the navigation), checked by import-linter."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"


def test_the_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run(
        [str(lint_imports), "--config", str(CONFIG), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def layered_names() -> set[str]:
    config = configparser.ConfigParser()
    config.read(CONFIG, encoding="utf-8")
    layers = config["importlinter:contract:layers"]["layers"]
    return {name.strip() for line in layers.split("\n") for name in line.split("|") if name.strip()}


def test_every_package_and_module_under_server_has_its_layer() -> None:
    """A package left out of the layers would escape them (and could form a cycle unseen)."""
    server = ROOT / "server"
    present = {
        f"server.{path.stem}"
        for path in server.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert present - layered_names() == set(), "place these in .importlinter's layers"
    assert layered_names() - present == set(), "these layers name nothing that exists"
