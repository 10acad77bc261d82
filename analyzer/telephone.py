"""A simulated telephone channel: 300-3400 Hz band-pass, 8 kHz, G.711 mu-law, back to 16 kHz.

Used to measure (and test) transcription on phone-quality audio without any system tool.
"""

from __future__ import annotations

import numpy as np

MU = 255.0


def mu_law_roundtrip(samples: np.ndarray) -> np.ndarray:
    """Encode to 8-bit mu-law and decode again: the quantisation noise G.711 adds."""
    clipped = np.clip(samples, -1.0, 1.0)
    encoded = np.sign(clipped) * np.log1p(MU * np.abs(clipped)) / np.log1p(MU)
    quantised = np.round((encoded + 1.0) * 127.5) / 127.5 - 1.0
    return (np.sign(quantised) * np.expm1(np.abs(quantised) * np.log1p(MU)) / MU).astype(np.float32)


def telephone_channel(samples: np.ndarray, rate: int = 16000) -> np.ndarray:
    """16 kHz mono float32 in, 16 kHz mono float32 out, sounding like a G.711 phone line."""
    from scipy.signal import butter, resample_poly, sosfiltfilt

    narrow = resample_poly(samples, 8000, rate).astype(np.float64)
    sos = butter(4, [300, 3400], btype="bandpass", fs=8000, output="sos")
    band = sosfiltfilt(sos, narrow)
    phone = mu_law_roundtrip(band.astype(np.float32))
    return resample_poly(phone, rate, 8000).astype(np.float32)
