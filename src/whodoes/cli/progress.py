"""Progress of a build (``whodoes build``, ``whodoes add``) on standard error."""

from __future__ import annotations

import sys


class BuildProgress:
    """Progress of a build (``whodoes build``, ``whodoes add``), on standard error: a rich
    progress bar advancing per document on a terminal, else one plain line per document."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.tty = self.stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self.total = 0
        self.progress = None
        self.task = None

    def __enter__(self):
        return self

    def start(self, n_files: int) -> None:
        self.total = n_files
        if not self.tty:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(file=self.stream, highlight=False)
        self.progress = Progress(
            TextColumn("[bold]building[/bold] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self.progress.start()
        self.task = self.progress.add_task("", total=n_files)

    def document(self, doc_id: str, rows: int, index: int) -> None:
        from whodoes.textsafe import one_line

        line = f"{one_line(doc_id)}: {rows} task row{'s' if rows != 1 else ''}"  # a file name may hold ESC
        if self.progress is not None:
            self.progress.console.print(f"  {line}", markup=False, highlight=False)
            self.progress.update(self.task, advance=1)
        else:
            self.stream.write(f"whodoes: [{index}/{self.total}] {line}\n")
            self.stream.flush()

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()
