"""axe-core run inside a page: the WCAG 2.1 A/AA violations that stop someone from using it.

axe-core comes from the npm registry into tests/browser/node_modules (bash deploy/dev.sh test
runs `npm ci` there) and is read from disk into the page, so a test downloads nothing.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict

from playwright.async_api import Error, Page

AXE_SCRIPT = Path(__file__).parents[1] / "browser" / "node_modules" / "axe-core" / "axe.min.js"

WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
# "minor" and "moderate" findings are worth a look but don't lock anyone out of a page.
BLOCKING = frozenset({"serious", "critical"})

# Only the given tags' rules run, and only violations come back: passes and incomplete results of a
# whole page are large and nothing here reads them.
RUN_AXE = """
(tags) => axe.run(document, {
  runOnly: {type: "tag", values: tags},
  resultTypes: ["violations"],
})
"""


class Node(TypedDict):
    # A selector per frame; inside a shadow root, a list of selectors from the host inwards.
    target: list[str | list[str]]
    html: str
    failureSummary: str


class Violation(TypedDict):
    id: str
    impact: str | None
    help: str
    helpUrl: str
    nodes: list[Node]


async def serious_violations(page: Page, tags: Sequence[str] = WCAG_21_AA) -> list[Violation]:
    """The serious and critical violations of `tags` on the page as it is now.

    The service's content security policy lets only its own files run scripts, so the page's
    context must be made with `bypass_csp=True` for axe to be added.
    """
    assert AXE_SCRIPT.is_file(), f"{AXE_SCRIPT} is missing; bash deploy/dev.sh test installs it"
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        try:
            await page.add_script_tag(path=AXE_SCRIPT)
        except Error as refused:
            raise RuntimeError(
                "axe-core could not be added: make the page's context with bypass_csp=True"
            ) from refused
    results = await page.evaluate(RUN_AXE, list(tags))
    violations: list[Violation] = results["violations"]
    return [violation for violation in violations if violation["impact"] in BLOCKING]


def describe(violations: Sequence[Violation]) -> str:
    """One paragraph per rule: what to fix, why, and where, for an assertion's message."""
    if not violations:
        return "no serious or critical accessibility violations"
    paragraphs = []
    for violation in violations:
        lines = [f"{violation['id']} ({violation['impact']}): {violation['help']}"]
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {_selector(node['target'])}")
            summary = node.get("failureSummary", "")
            lines.extend(f"      {line.strip()}" for line in summary.splitlines() if line)
        paragraphs.append("\n".join(lines))
    return f"{len(violations)} serious or critical accessibility violations:\n\n" + "\n\n".join(
        paragraphs
    )


def _selector(target: Sequence[str | Sequence[str]]) -> str:
    return " | ".join(part if isinstance(part, str) else " >>> ".join(part) for part in target)
