"""Batch progress on stderr: files and audio minutes done, ETA, and the file(s) in flight."""

from __future__ import annotations

import sys
import time


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class BatchProgress:
    """One status line, redrawn in place on a terminal and printed per file otherwise."""

    def __init__(self, total_files: int, total_audio_s: float, stream=None):
        self.total_files = total_files
        self.total_audio_s = total_audio_s
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.files_done = 0
        self.audio_done_s = 0.0
        self.started = time.monotonic()
        self.in_flight: list[str] = []

    def line(self, current: str = "") -> str:
        elapsed = time.monotonic() - self.started
        share = (
            self.audio_done_s / self.total_audio_s
            if self.total_audio_s
            else (self.files_done / self.total_files if self.total_files else 1.0)
        )
        eta = _clock(elapsed / share - elapsed) if share > 0 else "--:--:--"
        text = (
            f"[{self.files_done}/{self.total_files} files | "
            f"{self.audio_done_s / 60:.1f}/{self.total_audio_s / 60:.1f} min audio | ETA {eta}]"
        )
        return f"{text} {current}" if current else text

    def _show(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + text[:200])
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def _live(self) -> str:
        return f"-> {', '.join(self.in_flight)}" if self.in_flight else ""

    def start(self, name: str) -> None:
        if name not in self.in_flight:  # a file retried after its worker died is listed once
            self.in_flight.append(name)
        if self.tty:
            self._show(self.line(self._live()))

    def done(self, name: str, audio_s: float, error: str | None = None) -> None:
        """Count a finished file; failures are listed once, by the caller, at the end."""
        if name in self.in_flight:
            self.in_flight.remove(name)
        self.files_done += 1
        self.audio_done_s += audio_s
        status = "failed" if error else "done"
        self._show(self.line(self._live() if self.tty else f"{status} {name}"))

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
