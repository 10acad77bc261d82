"""Typed data passed between the stages: audio -> transcript -> findings -> reports.

Standard library only, so every stage (and every test) can import it cheaply.
Offsets (`start`, `end`) are character offsets into the text they were found in;
times (`t_start`, `t_end`, `start`/`end` of words and segments) are seconds into the recording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

UNKNOWN = "unknown"


@dataclass(frozen=True)
class AudioInfo:
    """The untouched input file, described before anything else reads it."""

    path: str  # as given / relative to the input root
    size: int
    sha256: str
    duration_s: float
    sample_rate: int
    channels: int
    format: str  # container/codec name, e.g. "WAV", "FLAC", "mp3"


@dataclass(frozen=True)
class ModelInfo:
    name: str  # "whisper-base (embedded)", "small", or a folder path
    sha256: str | None  # SHA-256 of model.bin when we can read it
    compute_type: str = "int8"
    device: str = "cpu"


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    id: int
    start: float
    end: float
    text: str  # Simplified Chinese, what detectors read
    raw_text: str  # exactly what the model produced
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 0.0
    suspect: str | None = None  # reason the segment looks hallucinated, else None
    channel: int | None = None  # 0 = left, 1 = right; None for mono
    speaker: str = UNKNOWN
    role: str = UNKNOWN  # "collector", "borrower" or "unknown"


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]
    language: str
    model: ModelInfo
    settings: dict  # decoding settings, JSON-serialisable


@dataclass(frozen=True)
class Finding:
    """One flagged passage: what a reviewer checks against the recording."""

    category: str  # id from domain notes, e.g. "violent_threat"
    severity: str  # "high" | "medium" | "low"
    start: int  # offsets into the analysed text (segment text for transcripts)
    end: int
    quote: str
    matched: str  # lexicon entry (term or pattern) that fired
    rule_id: str  # "<category>/<entry id>" or a metadata rule such as "callinfo/prohibited_hours"
    basis: tuple[str, ...]  # legal-basis lines
    explanation: str = ""
    confidence: float = 1.0
    segment_id: int | None = None
    t_start: float | None = None
    t_end: float | None = None
    speaker: str = UNKNOWN
    role: str = UNKNOWN


@dataclass(frozen=True)
class Suppressed:
    """A candidate a context rule turned down, kept for audit."""

    category: str
    start: int
    end: int
    quote: str
    matched: str
    rule_id: str
    reason: str  # which context rule suppressed it, and why
    segment_id: int | None = None


@dataclass(frozen=True)
class Amount:
    start: int
    end: int
    quote: str
    value: Decimal
    currency: str = "CNY"
    approximate: bool = False
    value_max: Decimal | None = None  # upper bound of a range such as 三四千
    segment_id: int | None = None
    t_start: float | None = None
    t_end: float | None = None


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    quote: str
    kind: str  # "point" | "deadline" | "range" | "duration"
    value: str | None  # ISO date/datetime (or ISO 8601 duration for kind="duration"); None if unresolved
    resolved: bool
    value_end: str | None = None  # end of a range
    segment_id: int | None = None
    t_start: float | None = None
    t_end: float | None = None


@dataclass(frozen=True)
class CallInfo:
    """When the call happened and with whom, each value with where it came from."""

    start_time: str | None = None  # ISO 8601 with offset
    start_time_source: str | None = None  # "filename", "tags", "mtime", "user", "sidecar"
    number: str | None = None
    number_source: str | None = None
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class TextAnalysis:
    """What the detectors found in one text."""

    text: str
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[Suppressed, ...] = ()
    amounts: tuple[Amount, ...] = ()
    dates: tuple[DateMention, ...] = ()


@dataclass(frozen=True)
class LexiconInfo:
    version: str
    sha256: str


@dataclass(frozen=True)
class CallRecord:
    """Everything known about one recording: the canonical JSON, typed."""

    source: AudioInfo
    call: CallInfo
    transcript: Transcript
    lexicon: LexiconInfo | None = None
    speakers: dict = field(default_factory=dict)  # label -> {"role", "confidence"}
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[Suppressed, ...] = ()
    amounts: tuple[Amount, ...] = ()
    dates: tuple[DateMention, ...] = ()
    tool_version: str = ""
    analysed_at: str = ""  # ISO time the analysis finished
    timings: dict = field(default_factory=dict)
