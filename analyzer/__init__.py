"""call-analyzer: offline analysis of Mandarin debt-collection call recordings.

The public API is loaded lazily so that `import analyzer` (and `call-analyzer --help`) stays fast:
faster-whisper, OpenCC and jieba are imported only when a function needs them.
"""

from __future__ import annotations

__version__ = "0.1.1"

_API = {
    "analyze_text": "analyzer.analysis",
    "analyze_file": "analyzer.pipeline",
    "analyze_folder": "analyzer.pipeline",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'analyzer' has no attribute {name!r}")
