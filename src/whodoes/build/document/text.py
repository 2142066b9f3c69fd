"""Plain text -> Document: one Paragraph per source line, so ``line`` is the source line."""

from __future__ import annotations

from whodoes.build.document.model import Document, Paragraph, Provenance


def text_document(text: str) -> Document:
    """Every line of ``text`` (blank ones too) becomes a Paragraph whose line is its own."""
    lines = text.split("\n")
    return Document(
        items=[Paragraph(line.rstrip("\r"), Provenance(line=n)) for n, line in enumerate(lines, 1)],
        format="text",
    )
