"""How much of the unit names written in each plan the catalogues know (issue 13's measure).

For each document of a built database, every unit name written in its unit cells
(task_units.name) is counted once per distinct name and once per occurrence, by what it
resolved to at build time:

* ``typed``      a body of a type of data/bodies.toml (区发改委 -> 发展改革委, 蔡家岗街道 -> 街道办事处);
* ``curated``    a unit of data/units.toml that has no type (两江新区's 经济运行局);
* ``collective`` a group, not one body (相关部门, 各镇街);
* ``unknown``    nothing knows it: a unit of its own (listed by ``whodoes units --unknown``).

``resolved`` = typed + curated + collective: the share of names that are not unknown.
``scripts/unit_coverage.py`` prints the figures; tests/build/test_unit_coverage.py checks them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

CLASSES = ("typed", "curated", "collective", "unknown")
TARGET = 0.95  # issue 13: at least this share of the names a plan writes resolve


@dataclass
class PlanCoverage:
    document: str
    jurisdiction: str | None
    names: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0))  # distinct names
    uses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0))  # occurrences
    unknown: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.names.values())

    def share(self, counts: dict[str, int], *classes: str) -> float:
        total = sum(counts.values())
        return 1.0 if total == 0 else sum(counts[c] for c in classes) / total

    @property
    def resolved(self) -> float:
        """Share of distinct written names that resolve to something the catalogues know."""
        return self.share(self.names, "typed", "curated", "collective")

    @property
    def typed(self) -> float:
        """Share of the distinct written names of bodies (not groups) that resolve to a body
        type of data/bodies.toml."""
        bodies = {c: n for c, n in self.names.items() if c != "collective"}
        return self.share(bodies, "typed")


def _class(kind: str, type_: str | None, curated: int) -> str:
    if kind == "collective":
        return "collective"
    if type_:
        return "typed"
    return "curated" if curated else "unknown"


def plan_coverage(conn: sqlite3.Connection) -> list[PlanCoverage]:
    """One PlanCoverage per document that names units, in document order."""
    rows = conn.execute(
        """SELECT d.id, d.jurisdiction, tu.name, u.kind, u.type, u.curated, count(*) AS n
             FROM task_units tu JOIN tasks t ON t.id = tu.task_id JOIN documents d ON d.id = t.document_id
             JOIN units u ON u.id = tu.unit_id
            GROUP BY d.id, tu.name ORDER BY d.ordinal, tu.name"""
    ).fetchall()
    out: dict[str, PlanCoverage] = {}
    for doc, jurisdiction, name, kind, type_, curated, n in rows:
        plan = out.setdefault(doc, PlanCoverage(doc, jurisdiction))
        c = _class(kind, type_, curated)
        plan.names[c] += 1
        plan.uses[c] += n
        if c == "unknown":
            plan.unknown.append(name)
    return list(out.values())


def report(plans: list[PlanCoverage], title: str = "all") -> str:
    """The figures as a text table, one line per plan (document id, resolved/total distinct
    names, the share), the unknown names, and the overall figure."""
    lines = [
        f"{'document':<48} {'jurisdiction':<10} {'resolved':>9} {'share':>6} {'groups':>6} {'bodies typed':>12} "
        f"{'uses resolved':>13}  unknown"
    ]
    for p in plans:
        known = p.total - p.names["unknown"]
        lines.append(
            f"{p.document:<48} {p.jurisdiction or '?':<10} {f'{known}/{p.total}':>9} {p.resolved:>6.1%} "
            f"{p.names['collective']:>6} {p.typed:>12.1%} "
            f"{p.share(p.uses, 'typed', 'curated', 'collective'):>13.1%}  {'、'.join(p.unknown)}"
        )
    lines.append(overall(plans, title))
    return "\n".join(lines)


def overall(plans: list[PlanCoverage], title: str = "all") -> str:
    """One line: the distinct written names per plan resolved, over all plans, and the plans
    under the target."""
    names = sum(p.total for p in plans)
    known = sum(p.total - p.names["unknown"] for p in plans)
    share = known / names if names else 1.0
    under = [p.document for p in plans if p.resolved < TARGET]
    return (
        f"{title}: {known} of {names} distinct written names per plan resolved ({share:.1%}); "
        f"{len(under)} of {len(plans)} plans under {TARGET:.0%}" + (f": {', '.join(under)}" if under else "")
    )


def overall_share(plans: list[PlanCoverage]) -> float:
    names = sum(p.total for p in plans)
    return 1.0 if names == 0 else sum(p.total - p.names["unknown"] for p in plans) / names
