"""One recording end to end (a folder of them: analyzer.batch, re-exported here).

audio (hash, decode) -> transcript (faster-whisper) -> findings, amounts, dates -> canonical JSON.
Inputs are only ever opened for reading. Outputs are written atomically.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .analysis import analyze_transcript
from .asr import TranscribeOptions, transcribe
from .audio import decode, mixdown, read_tags
from .batch import (  # noqa: F401  (the batch API, importable from here as before)
    BatchResult,
    InputFile,
    analyze_folder,
    check_output_dir,
    discover,
    output_json_path,
    write_atomic,
)
from .detect.callinfo import resolve_call_info
from .lexicon import LexiconSet, load_lexicons
from .models import resolve_model
from .resegment import split_at_pauses
from .stereo import channels_differ, label_channel, merge_by_time
from .types import CallInfo, CallRecord, Transcript
from .wordtimes import refine_word_times


@dataclass(frozen=True)
class AnalyzeOptions:
    model: str | None = None  # None = the embedded Whisper base
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    lexicons_dir: Path | None = None
    call_time: str | None = None  # user override for every file
    timezone: str = "Asia/Shanghai"
    sidecar: dict[str, CallInfo] | None = None  # from calls.csv, keyed by file name
    diarize: bool = True  # split mono calls into speakers when the [diarize] extra is installed
    roles: dict[str, str] | None = None  # user overrides, e.g. {"left": "borrower"}


def _timed(samples, transcript: Transcript) -> Transcript:
    """Word times checked against the audio, then segments cut at long pauses (turns)."""
    return split_at_pauses(refine_word_times(samples, transcript))


def transcribe_speakers(samples, model_path: str, model_info, options: AnalyzeOptions) -> tuple[Transcript, dict]:
    """Transcript with speakers and roles: a real two-party stereo file is transcribed channel by
    channel; a mono one is diarized when possible. Returns the speaker -> role/confidence map too."""
    from .roles import assign_roles

    if channels_differ(samples):
        parts = [
            label_channel(_timed(channel, transcribe(channel, model_path, model_info, options.transcribe)), index)
            for index, channel in enumerate(samples)
        ]
        transcript = merge_by_time(parts)
    else:
        mono = mixdown(samples)
        transcript = _timed(mono, transcribe(mono, model_path, model_info, options.transcribe))
        if options.diarize:
            from .diarize import diarization_available, diarize

            if diarization_available():
                transcript = diarize(mono, transcript)
    transcript, roles = assign_roles(transcript, overrides=options.roles)
    speakers = {label: {"role": role, "confidence": round(conf, 3)} for label, (role, conf) in sorted(roles.items())}
    return transcript, speakers


def analyze_file(
    item: InputFile | Path,
    options: AnalyzeOptions = AnalyzeOptions(),
    *,
    lexicons: LexiconSet | None = None,
) -> CallRecord:
    """Analyse one recording; nothing is written."""
    if not isinstance(item, InputFile):
        item = InputFile(Path(item), Path(item).parent)
    started = time.monotonic()
    audio = decode(item.path)
    decoded = time.monotonic()
    model_path, model_info = resolve_model(options.model)
    transcript, speakers = transcribe_speakers(audio.samples, model_path, model_info, options)
    transcribed = time.monotonic()
    lexicons = lexicons or load_lexicons(options.lexicons_dir)
    call = resolve_call_info(
        item.path,
        tags=read_tags(item.path),
        user_time=options.call_time,
        sidecar=options.sidecar,
        timezone=options.timezone,
    )
    found = analyze_transcript(transcript, call, lexicons=lexicons)
    finished = time.monotonic()
    source = audio.info.__class__(**{**audio.info.__dict__, "path": item.relative.as_posix()})
    return CallRecord(
        source=source,
        call=call,
        transcript=transcript,
        lexicon=lexicons.info,
        speakers=speakers,
        findings=found.findings,
        suppressed=found.suppressed,
        amounts=found.amounts,
        dates=found.dates,
        tool_version=__version__,
        analysed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        timings={
            "decode_s": round(decoded - started, 3),
            "transcribe_s": round(transcribed - decoded, 3),
            "detect_s": round(finished - transcribed, 3),
        },
    )
