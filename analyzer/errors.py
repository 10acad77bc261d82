"""One exception tree. Every error a user can cause has a short code and a message that says what to do."""

from __future__ import annotations


class AnalyzerError(Exception):
    """Base of every expected failure; the CLI prints `message` (no traceback unless --debug)."""

    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AudioError(AnalyzerError):
    """A recording that cannot be read or decoded."""

    code = "audio"


class ModelError(AnalyzerError):
    """The Whisper model is missing, corrupt or cannot be downloaded."""

    code = "model"


class LexiconError(AnalyzerError):
    """A lexicon file is malformed; the message names the file, the line and the problem."""

    code = "lexicon"


class InputError(AnalyzerError):
    """A text input (transcript, sidecar CSV, option value) that cannot be used."""

    code = "input"


class OutputError(AnalyzerError):
    """The output folder cannot be written."""

    code = "output"


class MissingExtraError(AnalyzerError):
    """An optional feature needs an extra that is not installed."""

    code = "missing-extra"

    def __init__(self, feature: str, extra: str, module: str):
        super().__init__(
            f"{feature} needs the optional package '{module}', which is not installed. "
            f"Install it with: pip install 'call-analyzer[{extra}]'"
        )
