"""Mono two-speaker diarization: who said each word, from the voice alone.

Whisper transcribes one mixed stream, and on a mono call one segment often holds both sides of
the conversation. We embed short overlapping windows of speech with Resemblyzer's bundled
speaker encoder (optional extra `call-analyzer[diarize]`, CPU PyTorch), cluster the windows,
spread each window's speaker scores over the frames it covers, give each word the speaker with
the highest score over its span, and split segments where the speaker changes.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import replace

import numpy as np

from .errors import MissingExtraError
from .resegment import split_by
from .types import Segment, Transcript, Word

RATE = 16000
FRAME_S = 0.01  # the encoder's mel frame step
WINDOW_FRAMES = 160  # 1.6 s, the length the encoder was trained on (shorter windows blur voices)
HOP_FRAMES = 40
MIN_SPEECH_SHARE = 0.5  # a window counts when at least half of it is covered by words
MIN_SILHOUETTE = 0.21  # below this the clusters are one voice split by wording, not two people
MIN_CLUSTER_SHARE = 0.1  # a "speaker" with fewer windows than this is noise, not a person
MIN_WINDOWS = 10  # about 5 s of speech: less is too little voice to tell two people apart
MAX_CLUSTERED = 2000  # windows used for the pairwise steps; the rest join by nearest centroid
# webrtcvad (imported by resemblyzer) still imports pkg_resources, which setuptools >= 81 lacks.
REQUIRED_MODULES = ("resemblyzer", "torch", "pkg_resources")


def diarization_available() -> bool:
    """True when the `diarize` extra is installed; looks the modules up without importing torch."""
    return all(importlib.util.find_spec(name) is not None for name in REQUIRED_MODULES)


def diarize(samples: np.ndarray, transcript: Transcript, *, max_speakers: int = 2) -> Transcript:
    """Label every word with "speaker1", "speaker2"... (by first appearance); split mixed segments."""
    words = [w for s in transcript.segments for w in s.words]
    n_frames = len(samples) // int(RATE * FRAME_S)
    starts = _window_starts(_speech_mask(words, n_frames))
    embeddings = _embed_windows(samples, starts)
    labels = _cluster(embeddings, max_speakers)
    frame_scores = _frame_scores(starts, embeddings, labels, n_frames)
    segments: list[Segment] = []
    for segment in transcript.segments:
        for piece in split_by(segment, lambda w: _speaker_of(frame_scores, w.start, w.end)):
            segments.append(replace(piece, id=len(segments)))
    return replace(transcript, segments=_name_speakers(segments))


def _speech_mask(words: list[Word], n_frames: int) -> np.ndarray:
    mask = np.zeros(n_frames, dtype=bool)
    for w in words:
        mask[int(w.start / FRAME_S) : int(np.ceil(w.end / FRAME_S))] = True
    return mask


def _load_encoder():
    try:
        with warnings.catch_warnings():  # resemblyzer and webrtcvad use deprecated scipy/setuptools APIs
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            import torch  # noqa: F401
            from resemblyzer import VoiceEncoder
    except ImportError as exc:
        raise MissingExtraError("Speaker diarization", "diarize", exc.name or "resemblyzer") from exc
    return VoiceEncoder("cpu", verbose=False)


def _window_starts(speech: np.ndarray) -> np.ndarray:
    """Start frames of the windows that are mostly speech."""
    starts = range(0, len(speech) - WINDOW_FRAMES + 1, HOP_FRAMES)
    return np.array([s for s in starts if speech[s : s + WINDOW_FRAMES].mean() >= MIN_SPEECH_SHARE], dtype=int)


def _embed_windows(samples: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """L2-normalised speaker embeddings of the windows starting at `starts` (in mel frames)."""
    if len(starts) == 0:
        return np.zeros((0, 256), dtype=np.float32)
    encoder = _load_encoder()
    import torch
    from resemblyzer import normalize_volume, wav_to_mel_spectrogram

    mel = wav_to_mel_spectrogram(normalize_volume(np.asarray(samples, dtype=np.float32), -30, increase_only=True))
    batches = np.array_split(np.stack([mel[s : s + WINDOW_FRAMES] for s in starts]), -(-len(starts) // 256))
    with torch.no_grad():
        embeddings = np.concatenate([encoder(torch.from_numpy(batch)).numpy() for batch in batches])
    return embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True).clip(1e-9)


def _cluster(embeddings: np.ndarray, max_speakers: int) -> np.ndarray:
    """Average-linkage clusters on cosine distance, refined like k-means, then merged while unconvincing."""
    if len(embeddings) < MIN_WINDOWS or max_speakers < 2:
        return np.zeros(len(embeddings), dtype=int)
    from scipy.cluster.hierarchy import fcluster, linkage

    sample = embeddings[:: -(-len(embeddings) // MAX_CLUSTERED)]
    seed = fcluster(linkage(sample, method="average", metric="cosine"), max_speakers, "maxclust") - 1
    labels = _refine(embeddings, _centroids(sample, seed))
    while labels.max() > 0:
        centroids = _centroids(embeddings, labels)
        shares = np.bincount(labels) / len(labels)
        if shares.min() < MIN_CLUSTER_SHARE:
            a = int(np.argmin(shares))
        elif _silhouette(sample, _nearest(sample, centroids)) < MIN_SILHOUETTE:
            similarity = centroids @ centroids.T
            np.fill_diagonal(similarity, -np.inf)
            a = int(np.unravel_index(np.argmax(similarity), similarity.shape)[0])  # one of the two closest
        else:
            break
        labels = _refine(embeddings, np.delete(centroids, a, axis=0))
    return labels


def _nearest(embeddings: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    return np.argmax(embeddings @ centroids.T, axis=1)


def _refine(embeddings: np.ndarray, centroids: np.ndarray, rounds: int = 10) -> np.ndarray:
    """K-means on the unit sphere from the given centroids; labels renumbered 0..k-1 without gaps."""
    labels = _nearest(embeddings, centroids)
    for _ in range(rounds):
        labels = np.unique(labels, return_inverse=True)[1]
        updated = _nearest(embeddings, _centroids(embeddings, labels))
        if np.array_equal(updated, labels):
            break
        labels = updated
    return np.unique(labels, return_inverse=True)[1]


def _centroids(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    centroids = np.stack([embeddings[labels == k].mean(axis=0) for k in range(labels.max() + 1)])
    return centroids / np.linalg.norm(centroids, axis=1, keepdims=True).clip(1e-9)


def _silhouette(embeddings: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette on cosine distance: how much closer windows are to their own speaker than to the next."""
    labels = np.unique(labels, return_inverse=True)[1]
    if labels.max() == 0:
        return 0.0
    distance = 1.0 - embeddings @ embeddings.T
    members = np.eye(labels.max() + 1, dtype=bool)[labels]  # (n, k)
    counts = members.sum(axis=0)
    mean_to = (distance @ members) / counts  # includes the zero distance to itself
    index = np.arange(len(labels))
    own_counts = counts[labels]
    own = mean_to[index, labels] * own_counts / np.maximum(own_counts - 1, 1)
    mean_to[index, labels] = np.inf
    other = mean_to.min(axis=1)
    return float(np.mean(np.where(own_counts > 1, (other - own) / np.maximum(own, other), 0.0)))


def _frame_scores(starts: np.ndarray, embeddings: np.ndarray, labels: np.ndarray, n_frames: int) -> np.ndarray:
    """Per frame and speaker: mean similarity to that speaker's centroid over the windows covering it."""
    n_speakers = int(labels.max()) + 1 if len(labels) else 1
    if n_speakers == 1:
        return np.zeros((n_frames, 1))
    similarity = embeddings @ _centroids(embeddings, labels).T
    total = np.zeros((n_frames, n_speakers))
    count = np.zeros((n_frames, 1))
    for start, row in zip(starts, similarity):
        total[start : start + WINDOW_FRAMES] += row
        count[start : start + WINDOW_FRAMES] += 1
    covered = count[:, 0] > 0
    total[covered] /= count[covered]
    if covered.any() and not covered.all():  # frames no window covers take the nearest covered frame's scores
        from scipy.ndimage import distance_transform_edt

        nearest = distance_transform_edt(~covered, return_distances=False, return_indices=True)[0]
        total = total[nearest]
    return total


def _speaker_of(frame_scores: np.ndarray, start: float, end: float) -> int:
    a = min(int(start / FRAME_S), len(frame_scores) - 1)
    b = max(int(np.ceil(end / FRAME_S)), a + 1)
    return int(np.argmax(frame_scores[a:b].mean(axis=0))) if len(frame_scores) else 0


def _name_speakers(segments: list[Segment]) -> tuple[Segment, ...]:
    """Cluster numbers -> "speaker1", "speaker2"... in order of first appearance."""
    names: dict[str, str] = {}
    for s in segments:
        names.setdefault(s.speaker, f"speaker{len(names) + 1}")
    return tuple(replace(s, speaker=names[s.speaker]) for s in segments)
