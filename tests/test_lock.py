"""The lock files: every package pinned with hashes, every range of pyproject.toml honoured, both locks
alike, and the Makefile installing from them (the fresh clone itself is tried by hand: it downloads)."""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from webapp.config import PROJECT_ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)((?: \\\n\s+--hash=sha256:[0-9a-f]{64})*)", re.MULTILINE)


def pins(lock: str) -> dict[str, tuple[str, int]]:
    """Each package of a lock file: its pinned version and how many hashes it carries."""
    text = (PROJECT_ROOT / "requirements" / lock).read_text()
    found = {
        canonicalize_name(name): (version, hashes.count("--hash="))
        for name, version, hashes in PIN.findall(text)
    }
    lines = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert len(found) == len(lines), f"{lock} holds a line that is not a pin: {lines}"
    return found


def declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    chosen = [spec for extra in extras for spec in project["optional-dependencies"][extra]]
    return [Requirement(spec) for spec in [*project["dependencies"], *chosen]]


@pytest.mark.parametrize(("lock", "extras"), [("run.txt", ["embedded"]), ("dev.txt", ["dev", "embedded"])])
def test_each_lock_pins_every_declared_dependency_within_its_range_with_hashes(lock, extras):
    pinned = pins(lock)
    for requirement in declared(*extras):
        version, _hashes = pinned[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)
    assert all(hashes for _version, hashes in pinned.values()), [
        name for name, (_, h) in pinned.items() if not h
    ]


def test_a_package_both_locks_hold_is_pinned_alike():
    run, dev = pins("run.txt"), pins("dev.txt")
    assert {name: run[name][0] for name in run} == {name: dev[name][0] for name in run}


def test_make_installs_the_locks_with_their_hashes_then_the_project_without_dependencies():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    for target, lock in ((".installed-run", "$(RUN_LOCK)"), (".installed-dev", "$(DEV_LOCK)")):
        recipe = makefile.split(f"$(VENV)/{target}:", 1)[1].split("\n\n", 1)[0]
        assert f"pip install --quiet --require-hashes -r {lock}" in recipe, recipe
        assert "pip install --quiet --no-deps -e ." in recipe and "'.[" not in recipe, recipe
    assert "RUN_LOCK := requirements/run.txt" in makefile and "DEV_LOCK := requirements/dev.txt" in makefile
