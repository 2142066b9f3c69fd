"""The document model every source format becomes, and one small backend per format.

``model`` is the shape (paragraphs and tables with provenance, in reading order);
``text`` reads plain text; ``docx``, ``pdf``, ``html``, ``sheet`` and ``office`` read
the published formats and are imported only when a file of that kind is built
(``whodoes.build.document.load.load_document`` dispatches by suffix).
"""
