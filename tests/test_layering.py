"""The job layer's rooms and the rules of who may import whom (see `webapp/jobs/__init__.py`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.once_in_ci  # reads the source, uses no database

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
JOBS = WEBAPP / "jobs"

ROOM_ORDER = ["worker", "recurring", "tasks", "reads", "enqueue", "running"]
"""Rooms from the top down: a module may import its own room or rooms below it, never one above."""


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, top-level or inside functions, as dotted names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def room_of(module: str) -> str | None:
    """The room of a `webapp.jobs...` module name (`None` for the package itself)."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["webapp", "jobs"] else None


def test_the_job_layer_shows_a_handful_of_entries_each_naming_its_process():
    entries = sorted(p.name for p in JOBS.iterdir() if p.name != "__pycache__")

    assert len(entries) <= 8, entries
    for entry in entries:
        source = JOBS / entry / "__init__.py" if (JOBS / entry).is_dir() else JOBS / entry
        docstring = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8"))) or ""
        assert "process" in docstring.split("\n\n")[0], f"{entry}: its docstring names no process"


@pytest.mark.parametrize("path", sorted(JOBS.rglob("*.py")), ids=lambda p: str(p.relative_to(JOBS)))
def test_no_job_module_imports_a_room_above_its_own_or_the_app_factory(path):
    relative = path.relative_to(JOBS)
    own = relative.parts[0].removesuffix(".py")
    imports = imported_modules(path)

    assert not {"webapp", "webapp.create_app"} & imports, f"{relative} imports webapp/__init__.py"
    for module in imports:
        room = room_of(module)
        if room in ROOM_ORDER and own in ROOM_ORDER:
            assert ROOM_ORDER.index(room) >= ROOM_ORDER.index(own), f"{relative} imports {module} above it"


@pytest.mark.parametrize(
    "path",
    sorted([*(WEBAPP / "admin").rglob("*.py"), *(WEBAPP / "cli").rglob("*.py")]),
    ids=lambda p: str(p.relative_to(WEBAPP)),
)
def test_the_console_and_the_cli_use_jobs_only_through_the_starting_door_and_the_reads(path):
    enqueue_modules = {f"webapp.jobs.enqueue.{p.stem}" for p in (JOBS / "enqueue").glob("*.py")}
    worker_entry = path == WEBAPP / "cli" / "worker.py"
    for module in imported_modules(path):
        if not module.startswith("webapp.jobs.") or (
            worker_entry and module.startswith("webapp.jobs.worker")
        ):
            continue
        through_the_door = module.startswith("webapp.jobs.enqueue") and module not in enqueue_modules
        assert through_the_door or module.startswith("webapp.jobs.reads."), f"{path.name} imports {module}"
