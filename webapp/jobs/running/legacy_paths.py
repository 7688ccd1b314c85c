"""Job paths of the previous release, kept importable in the worker for one release.

RQ stores a job's function, and its failure callback, by dotted path. Jobs queued or scheduled before the
job modules moved into rooms (`webapp.jobs.provision.provision_business_number`, ...) must still run after
an upgrade: each old module name is an alias of the module that now holds the same functions. Remove
after the next release, once no job queued by 0.1 can remain (retries end within `JOB_RETRY_INTERVALS`,
failed jobs are kept 7 days).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

MOVED_JOB_MODULES = {
    "webapp.jobs.provision": "webapp.jobs.tasks.provision",
    "webapp.jobs.webhooks": "webapp.jobs.tasks.webhooks",
    "webapp.jobs.release": "webapp.jobs.tasks.release",
    "webapp.jobs.move": "webapp.jobs.tasks.move",
    "webapp.jobs.replace": "webapp.jobs.tasks.replace",
    "webapp.jobs.number_health": "webapp.jobs.tasks.number_health",
    "webapp.jobs.test_call": "webapp.jobs.tasks.test_calls",
    "webapp.jobs.health_sweep": "webapp.jobs.tasks.health_sweep",
    "webapp.jobs.auto_release": "webapp.jobs.tasks.scheduled",
    "webapp.jobs.price_reads": "webapp.jobs.tasks.scheduled",
    "webapp.jobs.number_costs": "webapp.jobs.reads.number_costs",
    "webapp.jobs.failures": "webapp.jobs.running.failures",
}
"""Old module name → the module that holds its job functions now."""


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports an old module name as its new module (the same module object)."""

    def find_spec(
        self, fullname: str, path: object, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED_JOB_MODULES:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(MOVED_JOB_MODULES[spec.name])

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the new module is already imported."""


def keep_old_job_paths() -> None:
    """Let RQ import the previous release's job paths in this process (once; harmless to repeat)."""
    if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModuleFinder())
