"""axe-core in Chromium: the WCAG 2.1 A/AA violations of the page a Playwright page shows.

axe is evaluated into the page (`page.evaluate`, which the page's Content-Security-Policy does not govern),
never added as a `<script>` tag, which a policy without inline scripts would block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fixtures.services import unavailable
from webapp.config import PROJECT_ROOT

AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = frozenset({"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"})
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
"""The impacts of a WCAG rule the console must break nowhere."""
RUN_TAGS = [*sorted(WCAG_TAGS), "best-practice"]
"""What axe checks: the WCAG 2.1 A/AA rules, and its best practices (reported, not required)."""

RUN_AXE = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(result => result.violations.map(v => ({
    rule: v.id, impact: v.impact, tags: v.tags, help: v.help, targets: v.nodes.map(n => n.target.join(' ')),
  })))"""


@dataclass(frozen=True)
class Violation:
    """One axe rule a page breaks, and where (CSS selectors of the offending elements)."""

    rule: str
    impact: str
    tags: frozenset[str]
    help: str
    targets: tuple[str, ...]

    @property
    def blocking(self) -> bool:
        """Whether the console must not have it: a WCAG 2.1 A/AA rule of serious or critical impact."""
        return self.impact in BLOCKING_IMPACTS and bool(self.tags & WCAG_TAGS)

    def describe(self) -> str:
        shown = ", ".join(self.targets[:5]) + (" …" if len(self.targets) > 5 else "")
        return f"{self.rule} ({self.impact}, {len(self.targets)}): {self.help} — {shown}"


def axe_source() -> str:
    """axe-core's script, from `npm ci` (a missing copy skips with how to get it, or fails under CI=true)."""
    if not AXE_SCRIPT.exists():
        unavailable(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci` (make test does).")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def wcag_violations(page: Any, source: str) -> list[Violation]:
    """The page's violations of WCAG 2.1 A/AA rules and of axe's best practices, of every impact."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    found = page.evaluate(RUN_AXE, RUN_TAGS)
    return [
        Violation(item["rule"], item["impact"], frozenset(item["tags"]), item["help"], tuple(item["targets"]))
        for item in found
    ]


def counts(violations: list[Violation]) -> str:
    """`color-contrast 77, html-has-lang 1`, or `0`."""
    return ", ".join(f"{v.rule} {len(v.targets)}" for v in violations) or "0"


def report(found: dict[tuple[str, str], list[Violation]]) -> str:
    """One line per (role, page): its blocking counts (WCAG, serious or critical), then the others'."""
    lines = []
    for (who, name), violations in found.items():
        blocking = counts([v for v in violations if v.blocking])
        other = counts([v for v in violations if not v.blocking])
        lines.append(f"  {who:<10} {name:<22} WCAG serious/critical: {blocking} | other: {other}")
    return "\n".join(lines)


def blocking_failures(found: dict[tuple[str, str], list[Violation]]) -> list[str]:
    """Each blocking violation, as `role / page: rule (impact, n): help — elements`."""
    return [
        f"{who} / {name}: {violation.describe()}"
        for (who, name), violations in found.items()
        for violation in violations
        if violation.blocking
    ]
