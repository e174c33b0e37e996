"""What a long step of a run reports while it runs: `step(name, total)` then `advance(n)`. A live line per step
with count, total and rate on a terminal's stderr; elsewhere (pipes, `--json`, the daemon) phase lines or nothing."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

MIN_REFRESH_S = 0.1      # redraw at most this often between rich's own refreshes: a page of 100 rows is one advance


class Progress:
    """The interface a run reports through; this base reports nothing (the daemon, tests)."""

    def __call__(self, message: str) -> None:
        """A phase without counts: what `Sync(progress=callable)` callers and `pull_ats` send."""
        self.step(message)

    def step(self, name: str, total: int | None = None) -> None:
        """A new step starts (the previous one is done); `total` when the amount of work is known."""

    def advance(self, n: int = 1) -> None:
        """`n` more units of the current step are done."""

    def close(self) -> None:
        """The run is over: leave the terminal as it was."""


class Phases(Progress):
    """One line per step through `say` (the old `progress(message)` callable); no counts, so logs stay readable."""

    def __init__(self, say: Callable[[str], None]):
        self._say = say

    def step(self, name: str, total: int | None = None) -> None:
        self._say(name if total is None else f"{name} ({total})")


class TerminalProgress(Progress):
    """rich's Progress on stderr: one line per step that stays when the step is done, with count, total and rate."""

    def __init__(self, console=None):
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar
        self._bar = Bar(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"),
                        _rate_column(), TimeElapsedColumn(), console=console or Console(stderr=True),
                        redirect_stdout=False, redirect_stderr=False)
        self._task, self._started, self._shown = None, False, 0.0

    def step(self, name: str, total: int | None = None) -> None:
        if not self._started:
            self._bar.start()
            self._started = True
        self._end_step()
        self._task = self._bar.add_task(name, total=total, count=_count(0, total))
        self._refresh(force=True)

    def advance(self, n: int = 1) -> None:
        if self._task is None:
            return
        task = self._bar.tasks[-1]
        first = task.completed == 0
        self._bar.update(self._task, advance=n, count=_count(task.completed + n, task.total))
        self._refresh(force=first)

    def close(self) -> None:
        if self._started:
            self._end_step()
            self._bar.stop()
            self._started = False

    def _end_step(self) -> None:
        if self._task is not None:
            task = self._bar.tasks[-1]
            # a step without a known total ends at what it did: a full bar, not one pulsing forever
            self._bar.update(self._task, total=task.total or task.completed or 1, completed=task.total or task.completed)
            self._bar.stop_task(self._task)
            self._task = None

    def _refresh(self, *, force: bool) -> None:
        now = time.monotonic()
        if force or now - self._shown >= MIN_REFRESH_S:
            self._bar.refresh()
            self._shown = now


def _count(done: float, total: float | None) -> str:
    return f"{int(done)}" if total is None else f"{int(done)}/{int(total)}"


def _rate_column():
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Units per second: recent while the step runs, its average once done."""

        def render(self, task):
            speed = task.speed if not task.finished else None
            took = task.finished_time or task.elapsed
            if speed is None and took and task.completed:     # a finished step: its average
                speed = task.completed / took
            return Text(f"{speed:,.0f}/s" if speed else "", style="dim")
    return RateColumn()



def as_progress(progress: Progress | Callable[[str], None] | None) -> Progress:
    """A Progress from what `Sync(progress=...)` was given: a Progress, a phase callable, or nothing."""
    if progress is None:
        return Progress()
    if isinstance(progress, Progress):
        return progress
    return Phases(progress)


def for_command(say: Callable[[str], None] | None, stream=None) -> Progress:
    """A live display when stderr is a terminal; else `say`'s phase lines, or silence when `say` is None."""
    stream = stream or sys.stderr
    if stream.isatty():
        return TerminalProgress()
    return Phases(say) if say is not None else Progress()
