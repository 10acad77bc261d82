"""Collector or borrower: decide each speaker's role from what they say.

A threat only counts against the collector if the collector said it, so every speaker label
("left"/"right" for stereo channels, "speaker1"/"speaker2" after diarization) gets a role and a
confidence. The collector states the debt, names the company and the 工号, and demands payment
by a deadline; the borrower pleads, promises and asks for time. Cues are counted per speaker;
with two speakers the one that leans further towards collecting is the collector.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from .errors import InputError
from .normalize import normalize
from .types import UNKNOWN, Finding, Segment, Transcript

COLLECTOR = "collector"
BORROWER = "borrower"
ROLES = (COLLECTOR, BORROWER)
SPEAKER_NAME = re.compile(r"^(left|right|speaker\d+)$")
INFERRED_CAP = 0.95  # words alone never make a role certain; only an override does
SINGLE_VOICE_CAP = 0.7  # one voice alone: no second speaker to compare against, so less certain
MIXED_SHARE = 0.5  # a single label whose weaker side has half the cues of the stronger holds both voices

_YOU = r"(你|您)(?!们)"  # the other party, not 你们
_I = r"我(?!们)"
_PEOPLE = r"的(公司|单位|家人|家里|父母|同事|领导|老婆|老公)"
# (pattern, weight): what a collector says and a borrower does not, and the reverse. Topic words
# both sides use (分期, 困难, 贷款) only count in the speaker's own framing (你的贷款 / 我想分期).
COLLECTOR_CUES = tuple(
    (re.compile(p), w)
    for p, w in (
        (_YOU + r"(还)?(欠|拖欠)", 3),  # states the debt
        (_YOU + r"的?(贷款|借款|欠款|账单|信用卡|款项)", 2),
        (r"欠(我们|我司|平台|银行|公司)", 2),
        (r"逾期|欠款|滞纳金|罚息|本金|利息|还款日|最低还款", 1),
        (r"工号", 3),  # identifies themself as an agent
        (r"我(们)?(是|这里是|这边是).{0,12}(公司|平台|银行|金融|贷|催收|法务|客服|中心|部门|律师|法院)", 3),
        (r"(这里|这边)是.{0,12}(公司|平台|银行|金融|贷|中心|法务)", 3),
        (r"我们(公司|平台|银行)|本(公司|平台)", 2),
        (r"请问" + _YOU + r"?是.{1,5}(吗|本人)", 2),  # checks who picked up
        (r"(提醒|通知)" + _YOU, 1),
        (r"必须|马上还|立刻还|立即还|尽快(还|处理)|还清|全额|一次性还", 2),  # demands payment
        (r"(之前|以前|之内|为止).{0,3}(还|付|缴|交|处理|结清|到账)", 2),  # with a deadline
        (_YOU + r".{0,6}(什么时候|何时|到底|能不能|必须|得|要|应该|需要).{0,4}(还|付|缴)", 2),
        (r"再不还|不还(钱|的话)?.{0,4}(就|我们)|否则|后果", 2),  # pressure
        (r"起诉|法院|律师函|征信|上门|通讯录", 1),
        (_YOU + _PEOPLE, 2),
        (r"先生|女士|小姐", 1),  # addresses the other side formally
        (r"无耻|老赖|骗子|垃圾|废物|不要脸|笨蛋", 1),
    )
)
BORROWER_CUES = tuple(
    (re.compile(p), w)
    for p, w in (
        (r"没钱|没有钱|没那么多钱|手头紧|手上紧|还不上|还不起|拿不出", 3),  # cannot pay
        (_I + r".{0,8}(会|一定|尽量|尽快|马上|争取|保证)?还", 2),  # promises to pay
        (_I + r"(只有|只能|就)", 2),
        (r"请(你|您)?(不要|别)|求(求|你|您)|别(打|找|去|来)|不要(打|找|去|来)", 3),  # pleads
        (r"(" + _I + r"|能不能|可不可以|能否).{0,4}(宽限|分期|延期|缓|少还|减免|商量)", 2),  # asks for time or terms
        (r"对不起|不好意思|抱歉", 2),
        (_I + _PEOPLE, 2),
        (_I + r".{0,6}(困难|失业|生病|住院)|工资.{0,3}(没|还没|不)发", 2),
        (_I + r"(已经)?还(了|过)", 2),
        (r"下(个)?(月|周|星期)", 1),  # later dates, usually asked for by the borrower
    )
)


def cue_score(text: str, cues) -> int:
    """Weighted count of cue matches in one text (normalised to Simplified, half-width)."""
    folded = normalize(text).text
    return sum(w * len(pattern.findall(folded)) for pattern, w in cues)


def _lean(texts: list[str]) -> tuple[int, int]:
    return sum(cue_score(t, COLLECTOR_CUES) for t in texts), sum(cue_score(t, BORROWER_CUES) for t in texts)


def _confidence(margin: float, cap: float = INFERRED_CAP) -> float:
    """0.5 for no evidence, towards `cap` as the cue margin grows."""
    return round(min(cap, 0.5 + 0.5 * (1 - math.exp(-abs(margin) / 4))), 2)


def _single(collector: int, borrower: int) -> tuple[str, float]:
    """One voice judged on its own: its leaning, unless it is balanced or mixed."""
    if collector == borrower or min(collector, borrower) >= MIXED_SHARE * max(collector, borrower):
        return UNKNOWN, 0.0
    role = COLLECTOR if collector > borrower else BORROWER
    return role, _confidence(collector - borrower, SINGLE_VOICE_CAP)


def decide_roles(texts_by_speaker: dict[str, list[str]]) -> dict[str, tuple[str, float]]:
    """Speaker -> (role, confidence) from their texts alone."""
    leans = {speaker: _lean(texts) for speaker, texts in texts_by_speaker.items()}
    if len(leans) != 2:
        return {speaker: _single(*lean) for speaker, lean in leans.items()}
    (a, (ca, ba)), (b, (cb, bb)) = leans.items()
    margin = (ca - ba) - (cb - bb)
    if margin == 0:
        return {a: (UNKNOWN, 0.0), b: (UNKNOWN, 0.0)}
    collector, borrower = (a, b) if margin > 0 else (b, a)
    confidence = _confidence(margin)
    roles = {collector: (COLLECTOR, confidence), borrower: (BORROWER, confidence)}
    on_its_own = _single(*leans[borrower])
    if on_its_own[0] == COLLECTOR:  # talks like a collector too: two agents, or one voice split in two
        roles[borrower] = on_its_own
    return roles


def assign_roles(
    transcript: Transcript, *, overrides: dict[str, str] | None = None
) -> tuple[Transcript, dict[str, tuple[str, float]]]:
    """Set `Segment.role` from each speaker's role; overrides (speaker -> role) win with confidence 1."""
    texts: dict[str, list[str]] = {}
    for s in transcript.segments:
        texts.setdefault(s.speaker, []).append("" if s.suspect else s.text)  # hallucinations say nothing
    if len(texts) > 1:
        texts.pop(UNKNOWN, None)  # unlabelled bits among labelled speakers: no role for them
    roles = decide_roles(texts)
    if overrides:
        unknown = sorted(set(overrides) - set(texts))
        if unknown and texts:
            raise InputError(
                f"--roles names speaker(s) {', '.join(unknown)} not in this call; its speakers are: {', '.join(sorted(texts))}"
            )
        roles.update({speaker: (role, 1.0) for speaker, role in overrides.items()})
        rest = [s for s in texts if s not in overrides]
        if len(texts) == 2 and len(rest) == 1:  # naming one side of a two-party call names the other
            given = next(iter(overrides.values()))
            roles[rest[0]] = (BORROWER if given == COLLECTOR else COLLECTOR, 1.0)
    segments = tuple(replace(s, role=roles.get(s.speaker, (UNKNOWN, 0.0))[0]) for s in transcript.segments)
    return replace(transcript, segments=segments), roles


def parse_role_overrides(spec: str) -> dict[str, str]:
    """Read --roles: "left=borrower,right=collector" -> {"left": "borrower", "right": "collector"}."""
    overrides: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        speaker, sep, role = (x.strip().lower() for x in item.partition("="))
        if not sep or not SPEAKER_NAME.match(speaker) or role not in ROLES:
            raise InputError(
                f"--roles: cannot read '{item}'. Write SPEAKER=ROLE pairs separated by commas, where SPEAKER is "
                "left, right or speaker1, speaker2... and ROLE is collector or borrower "
                "(e.g. --roles left=borrower,right=collector)."
            )
        if speaker in overrides:
            raise InputError(f"--roles: speaker '{speaker}' is given twice.")
        overrides[speaker] = role
    if not overrides:
        raise InputError("--roles is empty. Example: --roles left=borrower,right=collector")
    return overrides


def _overlap(segment: Segment, t0: float, t1: float) -> float:
    return min(segment.end, t1) - max(segment.start, t0)


def attribute_findings(findings, transcript: Transcript) -> tuple[Finding, ...]:
    """Give each finding its segment's speaker and role, re-finding the segment by time when ids moved.

    A finding keeps its segment when that segment still covers the finding's midpoint (segment
    ids change when diarization splits segments); otherwise it moves to the segment that overlaps
    it most, and its character offsets are re-found in that segment's text.
    """
    by_id = {s.id: s for s in transcript.segments}
    result = []
    for f in findings:
        segment = by_id.get(f.segment_id) if f.segment_id is not None else None
        if f.t_start is not None and f.t_end is not None:
            mid = (f.t_start + f.t_end) / 2
            if segment is None or not segment.start <= mid <= segment.end:
                candidates = [s for s in transcript.segments if _overlap(s, f.t_start, f.t_end) >= 0]
                candidates.sort(key=lambda s: (-_overlap(s, f.t_start, f.t_end), f.quote not in s.text, s.id))
                segment = candidates[0] if candidates else segment
        if segment is None:
            result.append(f)
            continue
        moved = {}
        if segment.id != f.segment_id:
            at = segment.text.find(f.quote)
            moved = {"segment_id": segment.id} | ({"start": at, "end": at + len(f.quote)} if at >= 0 else {})
        result.append(replace(f, speaker=segment.speaker, role=segment.role, **moved))
    return tuple(result)
