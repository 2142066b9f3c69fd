"""The row every layout parser produces: one task with its unit cells as written."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TaskRow:
    part: str  # "inline" | "table" | "numbered"
    text: str
    line: int
    line_end: int | None = None
    seq: str | None = None
    section: str | None = None
    category: str | None = None
    title: str | None = None
    detail: str | None = None
    targets: dict[str, str] = field(default_factory=dict)
    deadline: str | None = None
    lead_raw: str | None = None
    support_raw: str | None = None
    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    lead_label: str | None = None
    support_label: str | None = None
    inherited: list[str] = field(default_factory=list)
    commanders: list[str] = field(default_factory=list)
    source_text: str = ""
    location: str | None = None  # where in the file: "line 12", "p. 3, table 1, row 5" (set by the build)
