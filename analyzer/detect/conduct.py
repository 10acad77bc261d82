"""Conduct flags: lexicon terms and patterns found in normalised text, then judged in context.

Every candidate either becomes a Finding or a Suppressed with the reason, so a reviewer can audit
what the tool turned down. The context rules are general (no rule exists for one sentence):
- word boundaries: terms must start and end on jieba token boundaries;
- look-alikes and idioms listed per entry (垃圾短信, 砍一刀, 打死我也);
- direction: threats whose object must be the listener (弄死你, not 打死我);
- addressee: insults must be said to the listener, or be the whole clause (笨蛋！);
- negation and pleas (不会上门; 请不要给我家人打电话);
- reported speech (他说要弄死我, 催收的骂我废物, quotation marks);
- the listener asking (你是不是要上门？);
- lawful framing (依法起诉, 以法院通知为准, 持证人员上门拜访).
Which of the last four apply is set per category in its lexicon (`context`). A `weak` entry's flag
also needs the conduct model's support in its sentence.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

try:  # Python 3.11+
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse

from ..lexicon import Category, Entry, LexiconSet
from ..normalize import NormalizedText
from ..segment import segmenter_for
from ..types import Finding, Suppressed
from .conduct_model import CLAUSE_CHARS, WEAK_SUPPORT, ModelFlag, model_flags, piece_probability, pieces

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*|[。！？!?\n]+")
_CLAUSE_BREAK = re.compile(f"[{CLAUSE_CHARS}]")
_CLAUSE_OR_SENTENCE_END = re.compile(f"[{CLAUSE_CHARS}。！？!?]")
_LISTENER = re.compile(r"你|您|妳")
_OTHER_PERSON = re.compile(r"我|他|她")  # 我是骗子？: about the speaker or a third person, not a vocative
# 我会坐牢吗, 我现在去借网贷, 我把钱转给我老婆了: the speaker's own doings.
_SPEAKER_SUBJECT = re.compile(
    r"我(?!们)(?:会|要|就|也|都|是|又|才|得|可能|真的|就是个?|是个|去|先|想|只能|只好|打算|准备|把|已经|现在|以后|自己|连|的|这个|明天|今天|马上|这就|回头)*$"
)
# The object of a threat is the person (收拾你), not something of theirs (收拾你的东西).
# 收拾你的 at the end of a clause is still the person (我们会去收拾你的).
_OBJECT_AFTER = re.compile(r"(?:了|死|掉|残|废|个|一顿|一下|个人)?(?:(你|您|妳)(?!的[^。！？!?，,\s吧啊呢]|们的)|(我))")
# ...or put before the verb: 把你弄死, 你会被人砍.
_OBJECT_BEFORE = re.compile(r"(?:把(你|您|妳)(?:给)?|(你|您|妳)[^，,。！？!?]{0,4}?被(?:人|我们|别人)?(?:给)?)$")
_FILLERS = "(?:再|去|来|会|能|要|可能|随便|主动|轻易|直接|真的|真|一定|跟|和|对|给|向|把|被|也|都|又)*"
_STRONG_NEG = (
    "不会|不要|不用|不能|不得|不准|不许|不可能|不可以|不是|并非|并不|没有|绝不|决不|从不|从来不|不再|别"
    "|不收取|不收|不需要|无需|免收|无权|无法"
)
# A strong negator may govern a short verb phrase (不会影响您家人...); a bare 不/没 only its fillers,
# so that 再不还钱打断你的腿 stays a threat.
_NEGATION = re.compile(
    rf"(?:(请|求求|求你|拜托|麻烦)[你您们]*)?(?:(?:{_STRONG_NEG}){_FILLERS}[\u4e00-\u9fff]{{0,8}}|(?:不|没){_FILLERS})$"
)
_CONSEQUENCE = re.compile(r"就|才|否则|的话")
_CAUSE = re.compile(r"因为|由于")  # 不会因为您逾期就去您单位: the negation spans the whole 因为...就
# Words with 不/没 that negate nothing that follows: A-not-A questions (是不是, 会不会), 别以为
# ("don't think that ..."), 别逼我, 别让我, 别想 and 别怪我 (a threat follows), conjunctions (不然,
# 不管), 不得不 (must), and the rhetorical 你不是有信用卡吗 (you do have one).
_NOT_NEGATION = re.compile(
    r"([\u4e00-\u9fff])[不没]\1|别以为|不要以为|别逼|不要逼|别让我|不要让我|别落到|别想|休想|甭想|不然|不管|不过|不行|不光|不仅|要不|不论"
    r"|(?:可|就|也)?(?:别|不要|莫)怪|[不没](?:得|能|会)[不没]|(?:你|您)[^，,。！？!?]{0,4}?不是[^，,。！？!?]{0,12}?(?:吗|嘛|么)"
)
# 别的/别人 (other) are words, not a negator: 不用去别的平台借钱 is still one negated phrase.
_OTHER = re.compile(r"别(?=的|人|家|处)")
# 不收取任何辛苦费或者|协商费: a negation covers the words coordinated after it.
_COORDINATED = re.compile(r"[\u4e00-\u9fff]{1,6}(?:或者|或是|或|以及|和|及|、)$")
_REPORTED = re.compile(
    r"(?:他|她|他们|她们|对方|催收员|催收的|催收人员|那个人|那人|人家|有人|朋友|警察|你们的?(?:人|员工|催收员?))"
    r"[^。！？!?]{0,8}?(?:说|讲|骂|威胁|扬言|放话|声称|叫嚣|吼|告诉我|让我|叫我|要我|逼我|要求我)"
    r"|你们(?:的人)?(?:说的|讲的|说过的|提的|说我|讲我|说俺|吓唬我|威胁我)"  # 你们说的那个加急费, 你们说我要坐牢: the borrower quoting the collector
    r"|新闻(?:里|上)?(?:说|报道)|网上说|据说|据我了解|据了解|借款人反映|律师提醒|律师说|媒体报道"  # news and advice about collectors
)
# The speaker (我, not the agency's 我们) will call the police or complain, or dares the other side
# (我不怕你们上门): the words describe what the other side does.
_VICTIM = re.compile(r"我(?!们)(就|会|要|马上|立刻|一定|只能|已经|真)*(明天|今天|这就|回头)?(去)?(派出所|公安局|12321|12378|银保监|消协)?(报警|报案|打110|报110|打幺幺零|打12321|打12378|投诉|举报|起诉你们|告你们|把录音交给派出所|把录音交给警察)|我(?:又|也|才|根本)?不怕")
_CALLED_ME = re.compile(r"(说|骂|叫|称|当|把)我(是|为|当成|当|成)?$")  # 骂我废物, 说我是老赖
# Questions by form (A-not-A, 请问) whatever the punctuation; 真的...吗 only with a question ending.
_ASKING_FORM = re.compile(r"(?:你们|你|您)(?:是不是|会不会|要不要(?!我)|是否|难道)|请问|问一下|想问|怎么办|咋办")
_ASKING = re.compile(r"(?:你们|你|您)(?:真的|真|打算|准备|什么时候|哪天|几点)")
_QUESTION_END = re.compile(r"(?:[?？]|吗|么|嘛)[。！？!?\s]*$")
_LAWFUL = re.compile(
    r"依法|按规定|按照规定|根据规定|依照|法律途径|法律程序|司法程序|以法院.{0,6}为准|核实|12368|持证|持牌|正规|"
    r"官方|对公|民事诉讼|民事纠纷|提出异议|合同约定|按合同|谨防|警惕|切勿|请勿|不要相信|防范|骗局|都是骗人|都是诈骗|法律规定|只有法院|判决(?:以后|之后|后)才|才(?:有)?可能|如有人|如果有人|若有人|任何理由|任何要求|任何人要求|预约|提前(?:电话|联系|告知|通知|和您|跟您|与您)|"
    r"按约定|约定的|约好的?时间|约(?:个)?时间|出示工作证|工作证|工牌|委托书|您看(?:什么时候)?方便|征得|您(?:本人)?(?:不)?同意|经您同意|拜访"
)
_VOCATIVE_FILLER = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]|啊|呀|吧|呢|的|了|嘛|东西|家伙|玩意儿?|你个|臭|死|真是个?|就是个?|简直是个?|纯粹是个?|没用的")
_SLIP_FACTOR, _VOCATIVE_FACTOR = 0.8, 0.85
_PARTICLES = frozenset("吧啊呀了吗呢嘛哦啦")
# Variant spellings and ASR homophones of lexicon words, folded before matching. Each pair has the
# same length, so offsets are unchanged.
_VARIANTS = {"帐户": "账户", "帐号": "账号", "帐上": "账上", "通信录": "通讯录", "黑明单": "黑名单", "正信": "征信"}
_VARIANT_RE = re.compile("|".join(_VARIANTS))
# Context is read at most this many characters either side of a match, so that a long text without
# punctuation (raw ASR) costs linear time, not quadratic.
_WINDOW = 60


def _first_chars(items) -> frozenset[str] | None:
    """Characters a match of the parsed regex must start with; None when that cannot be told
    (then the pattern always runs)."""
    for index, (op, arg) in enumerate(items):
        name = str(op)
        if name in ("ASSERT", "ASSERT_NOT", "AT"):
            continue  # zero-width: look at what follows
        if name == "LITERAL":
            return frozenset(chr(arg))
        if name == "IN":
            if not all(str(o) == "LITERAL" for o, _ in arg):
                return None
            return frozenset(chr(a) for _, a in arg)
        if name == "SUBPATTERN":
            return _first_chars(arg[-1])
        if name == "BRANCH":
            firsts = [_first_chars(branch) for branch in arg[1]]
            return None if None in firsts else frozenset().union(*firsts)
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, _, inner = arg
            first = _first_chars(inner)
            if low > 0 or first is None:
                return first
            rest = _first_chars(items[index + 1 :])
            return None if rest is None else first | rest
        return None
    return None  # the pattern may match the empty string


# In nearly every line of a call: a pattern is better selected by a rarer part of it.
_COMMON = frozenset("你您我他她们的了是不就要会在有这那个一")


def _required_chars(items) -> frozenset[str] | None:
    """Characters one of which every match must contain: of the sets that start a required part
    of the pattern, the rarest (打断 in (你|您)的?...打断 selects fewer lines than 你)."""
    options = []
    for index, (op, arg) in enumerate(items):
        name = str(op)
        if name in ("ASSERT", "ASSERT_NOT", "AT") or (name in ("MAX_REPEAT", "MIN_REPEAT") and arg[0] == 0):
            continue  # zero-width or optional: no character of it is required
        chars = _first_chars(items[index : index + 1])
        if chars:
            options.append(chars)
    return min(options, key=lambda s: (bool(s & _COMMON), len(s))) if options else None


def _pattern_chars(pattern: re.Pattern) -> frozenset[str] | None:
    try:
        return _required_chars(list(_sre_parse.parse(pattern.pattern)))
    except Exception:  # noqa: BLE001 - an internal parser change must only cost speed
        return None


@dataclass(frozen=True)
class _Candidate:
    category: Category  # the category flagged
    entry: Entry
    start: int
    end: int
    matched: str
    kind: str  # "term", "slip" or "pattern"
    home: Category  # the category whose file holds the entry (differs for an entry's `also`)

    @property
    def rule_id(self) -> str:
        return f"{self.home.id}/{self.entry.id}"


class _Matcher:
    """The lexicon set compiled for fast scanning; built once per lexicon set."""

    def __init__(self, lexicons: LexiconSet):
        # Each rule with the categories it flags: its own, then those of its `also`.
        self.by_word: dict[str, list[tuple[Entry, str, Category, tuple[Category, ...]]]] = {}
        self.patterns: list[tuple[re.Pattern, Entry, Category, tuple[Category, ...]]] = []
        for home in lexicons.categories.values():
            for entry in home.entries:
                targets = (home, *(lexicons.categories[c] for c in entry.also))
                for kind, words in (("term", entry.terms), ("slip", entry.slips)):
                    for word in words:
                        self.by_word.setdefault(word, []).append((entry, kind, home, targets))
                self.patterns.extend((p, entry, home, targets) for p in entry.patterns)
        # Calling ~300 regexes per line costs more than the matching itself, so each pattern
        # runs only on texts holding a character every match of it contains.
        self.by_char: dict[str, list[int]] = {}
        self.always: list[int] = []
        for index, (pattern, *_) in enumerate(self.patterns):
            chars = _pattern_chars(pattern)
            if chars is None:
                self.always.append(index)
            for char in chars or ():
                self.by_char.setdefault(char, []).append(index)
        # One alternation, longest words first: the regex engine skips ahead in C to the next
        # position where any word can start, and reports the longest word there.
        words = sorted(self.by_word, key=lambda w: (-len(w), w))
        self.words = re.compile("|".join(map(re.escape, words))) if words else None

    def candidates(self, text: str) -> list[_Candidate]:
        found = []
        pos = 0
        while self.words is not None and (m := self.words.search(text, pos)):
            for entry, kind, home, targets in self.by_word[m.group()]:
                found.extend(_Candidate(c, entry, m.start(), m.end(), m.group(), kind, home) for c in targets)
            pos = m.start() + 1  # overlapping words may start inside this one
        by_char = self.by_char
        selected = set(self.always).union(*(by_char[c] for c in by_char.keys() & set(text)))
        for index in sorted(selected):
            pattern, entry, home, targets = self.patterns[index]
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    found.extend(_Candidate(c, entry, m.start(), m.end(), pattern.pattern, "pattern", home) for c in targets)
        return found


_MATCHERS: dict[str, _Matcher] = {}


def _matcher_for(lexicons: LexiconSet) -> _Matcher:
    key = lexicons.info.sha256
    if key not in _MATCHERS:
        _MATCHERS[key] = _Matcher(lexicons)
    return _MATCHERS[key]


class _Sentence:
    """One sentence of the normalised text, with its token boundaries computed on demand."""

    def __init__(self, text: str, start: int, end: int, lexicons: LexiconSet):
        self.full, self.start, self.end = text, start, end
        self.lexicons = lexicons
        self._bounds: frozenset[int] | None = None

    def bounds(self) -> frozenset[int]:
        if self._bounds is None:
            local = segmenter_for(self.lexicons).boundaries(self.full[self.start : self.end])
            self._bounds = frozenset(b + self.start for b in local)
        return self._bounds

    def window(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around [start, end), cut to _WINDOW characters either side."""
        return max(self.start, start - _WINDOW), min(self.end, end + _WINDOW)

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """Bounds of the clause (between commas and the like) around [start, end)."""
        low, high = self.window(start, end)
        left = max((m.end() for m in _CLAUSE_BREAK.finditer(self.full, low, start)), default=low)
        right = _CLAUSE_BREAK.search(self.full, end, high)
        return left, right.start() if right else high


@dataclass
class _Verdict:
    reason: str | None = None  # why the candidate is suppressed; None when it is flagged
    support: list[str] = field(default_factory=list)  # what supports the flag, for the explanation
    confidence: float = 1.0
    severity: str = "high"
    audit: bool = True  # False: a common verb with no object at all (处理一下) is not worth listing
    # Suppressed as a different word (word boundary, look-alike, idiom) or for want of a 你/您 in the
    # clause: the conduct model may still read the sentence as the category.
    open_to_model: bool = False


def _inside_quotes(text: str, start: int, pos: int) -> bool:
    part = text[start:pos]
    return part.count('"') % 2 == 1 or any(part.count(o) > part.count(c) for o, c in ("“”", "「」", "『』"))


def _lexical_reason(c: _Candidate, s: _Sentence) -> str | None:
    """Look-alikes, idioms and word boundaries: is this really the lexicon's word?"""
    text, entry = s.full, c.entry
    look_alike = next((w for w in entry.not_before if text.startswith(w, c.end)), None)
    look_alike = look_alike or next((w for w in entry.not_after if text.endswith(w, s.start, c.start)), None)
    if look_alike:
        return f"look-alike: next to '{look_alike}' the words mean something else"
    for idiom in entry.idioms:
        low, high = max(s.start, c.start - len(idiom)), min(s.end, c.end + len(idiom))
        for m in re.finditer(re.escape(idiom), text[low:high]):
            if m.start() + low < c.end and m.end() + low > c.start:
                return f"idiom: part of '{idiom}'"
    # 个 and final particles get glued to a term (你真是个|人渣 -> 个人|渣, 去死吧 -> 去|死吧):
    # a term may start after 个 and end before a particle.
    bounds = s.bounds() if c.kind != "pattern" else frozenset()
    starts = c.start in bounds or (c.start - 1 >= s.start and text[c.start - 1] == "个" and c.start - 1 in bounds)
    ends = c.end in bounds or (c.end < s.end and text[c.end] in _PARTICLES and c.end + 1 in bounds)
    if c.kind != "pattern" and not (starts and ends):
        return f"word boundary: '{c.matched}' is only part of a longer word here"
    return None


def _addressee(c: _Candidate, s: _Sentence, clause: tuple[int, int], v: _Verdict) -> None:
    """Direction and addressee: is it said to (or about doing something to) the listener?"""
    text = s.full
    if c.entry.object == "listener":
        after = _OBJECT_AFTER.match(text, c.end, clause[1])
        before = _OBJECT_BEFORE.search(text, clause[0], c.start)
        if after and after.group(2) and not before:
            v.reason = "direction: the object is the speaker (我), not the listener"
        elif (after and after.group(1)) or before:
            v.support.append(f"object is the listener '{(after and after.group(1)) or before.group(1) or before.group(2)}'")
        else:
            v.reason, v.audit = "direction: no listener (你/您) as the object", False
    elif c.entry.object == "not_speaker":  # 我给你一个私人账户 is done to the listener: not the speaker's own plan
        if _SPEAKER_SUBJECT.search(text, clause[0], c.start) and not _LISTENER.search(text, c.start, c.end):
            v.reason = "about the speaker's own plans (我...), not a demand on the listener"
    elif c.entry.object == "addressed":
        if _SPEAKER_SUBJECT.search(text, clause[0], c.start) and not _LISTENER.search(text, c.start, c.end):
            v.reason = "about the speaker (我...), not the listener"
        elif _LISTENER.search(text, *clause):
            v.support.append("addressed to the listener")
        elif not _OTHER_PERSON.search(text, *clause) and len(
            _VOCATIVE_FILLER.sub("", text[clause[0] : clause[1]])
        ) <= c.end - c.start + 2:
            v.support.append("said on its own (vocative)")
            v.confidence *= _VOCATIVE_FACTOR
        else:
            v.reason, v.open_to_model = "not addressed to the listener (no 你/您 in the clause)", True


def _context_reason(c: _Candidate, s: _Sentence, clause: tuple[int, int], v: _Verdict) -> None:
    """The category's context rules: negation, reported speech, the listener asking, lawful framing."""
    text, context = s.full, c.category.context
    before = text[clause[0] : c.start]
    low, high = s.window(c.start, c.end)
    if "negation" in context:
        # Neutralise 是不是, 别以为... (same length) over the whole clause, so that words straddling
        # the match start (别|落到我手里) or ending after it (你不是有信用卡吗) are seen whole.
        # 不收取外访费、加急费: a list joined by 、 is one clause to a negation.
        scope = clause[0]
        for _ in range(3):
            if scope - 1 > s.start and text[scope - 1] == "、":
                scope = s.clause(scope - 1, scope - 1)[0]
        neutral = _NOT_NEGATION.sub(lambda m: "〇" * len(m.group()), _OTHER.sub("另", text[scope : clause[1]]))
        end = c.start - scope
        for _ in range(3):
            coordinated = _COORDINATED.search(neutral, 0, end)
            if coordinated is None:
                break
            end = coordinated.start()
        neg = _NEGATION.search(neutral, 0, end)
        # A negated condition leaves its consequence standing: 不能按时还款我们就去你家, 不来就直接拘留.
        conditional = neg and (_CONSEQUENCE.match(text, c.start) or _CONSEQUENCE.search(neutral, neg.start(), end))
        if conditional and not _CAUSE.search(neutral, neg.start(), end):
            neg = None
        if neg:
            v.reason = f"{'plea' if neg.group(1) else 'negation'}: '{neg.group().strip()}' before the words"
            return
    if "reported" in context:
        reported = _REPORTED.search(text, low, c.start) or _CALLED_ME.search(before)
        victim = _VICTIM.search(text, low, high)
        if reported:
            v.reason = f"reported speech: '{reported.group()}' introduces someone else's words"
        elif victim:
            v.reason = f"complaint: '{victim.group()}' - the speaker is the one being pressed"
        elif _inside_quotes(text, low, c.start):
            v.reason = "reported speech: inside quotation marks"
        if v.reason:
            return
    if "question" in context:
        asking = _ASKING_FORM.search(text, *clause)
        if asking is None and high == s.end and _QUESTION_END.search(text, c.end, s.end):
            asking = _ASKING.search(text, clause[0], c.start)
        if asking:
            v.reason = f"the listener asking: '{asking.group()}...?' is a question, not a statement"
            return
    if "lawful" in context:
        lawful = _LAWFUL.search(text, low, high)
        if lawful and c.entry.lawful == "suppress":
            v.reason = f"lawful framing: '{lawful.group()}'"
        elif lawful:
            v.support.append(f"lawful framing '{lawful.group()}' lowers the severity to low (needs review)")
            v.severity = "low"


def _judge(c: _Candidate, s: _Sentence) -> _Verdict:
    """Flag or suppress one candidate, with the reason either way."""
    v = _Verdict(confidence=c.entry.confidence, severity=c.entry.severity)
    v.support.append(f"{c.kind} '{c.matched}'" if c.kind != "pattern" else f"pattern of entry '{c.entry.id}' matched")
    if c.kind == "slip":
        v.support.append("an ASR slip variant, lower confidence")
        v.confidence *= _SLIP_FACTOR
    v.reason = _lexical_reason(c, s)
    v.open_to_model = v.reason is not None
    clause = s.clause(c.start, c.end)
    if v.reason is None:
        _addressee(c, s, clause, v)
    if v.reason is None:
        _context_reason(c, s, clause, v)
    return v


def detect_conduct(norm: NormalizedText, lexicons: LexiconSet) -> tuple[list[Finding], list[Suppressed]]:
    """Findings and suppressed candidates; offsets point into `norm.original`."""
    text = _VARIANT_RE.sub(lambda m: _VARIANTS[m.group()], norm.text)
    candidates = _matcher_for(lexicons).candidates(text)
    judged: list[tuple[_Candidate, _Verdict]] = []
    if candidates:
        spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
        starts = [a for a, _ in spans]
        sentences: dict[int, _Sentence] = {}
        for c in sorted(candidates, key=lambda c: (c.start, -(c.end - c.start))):
            index = bisect.bisect_right(starts, c.start) - 1
            a, b = spans[index]
            if c.end > b:
                continue  # a pattern spilling over a sentence end is not one statement
            s = sentences.setdefault(index, _Sentence(text, a, b, lexicons))
            judged.append((c, _judge(c, s)))
        _yield_to_graver(judged, text)
        if lexicons.model is not None:
            _weak_need_support(judged, text, lexicons)
    findings, suppressed = _resolve(norm, judged)
    if lexicons.model is not None:
        # The model defers wherever the lexicons judged the category on context (flagged, negated,
        # reported...); a word that merely turned out to be another word, or a clause without 你/您
        # (不还钱照样判刑 is said to the listener all the same), leaves it free.
        covered = {(c.category.id, i) for c, v in judged if not v.open_to_model for i in range(c.start, c.end)}
        flags = model_flags(lexicons.model, text, covered)
        added = [_model_finding(norm, lexicons, f) for f in flags if f.category in lexicons.categories]
        # A word the model went on to flag in its sentence was not turned down after all.
        suppressed = [s for s in suppressed if not any(
            f.category == s.category and f.start < s.end and s.start < f.end for f in added)]
        findings += added
        findings.sort(key=lambda f: (f.start, f.category))
    return findings, suppressed


def _yield_to_graver(judged: list[tuple[_Candidate, _Verdict]], text: str) -> None:
    """A flag whose category yields to a graver one flagged in the same clause is suppressed: one
    act (警察上门铐人) is reported once, under its gravest name."""
    breaks = [m.start() for m in _CLAUSE_OR_SENTENCE_END.finditer(text)]
    flagged = {}
    for c, v in judged:
        if v.reason is None:
            flagged.setdefault((bisect.bisect_right(breaks, c.start), c.category.id), c)
    for c, v in judged:
        if v.reason is not None:
            continue
        clause = bisect.bisect_right(breaks, c.start)
        graver = next((flagged[(clause, g)] for g in c.category.yields_to if (clause, g) in flagged), None)
        if graver is not None:
            v.reason = f"part of a graver act: '{text[graver.start:graver.end]}' is flagged as {graver.category.id}"


def _weak_need_support(judged: list[tuple[_Candidate, _Verdict]], text: str, lexicons: LexiconSet) -> None:
    """A weak entry's flag stands only where the conduct model, reading the whole sentence, also
    leans towards the category: its words alone were too often something else."""
    model, spans = lexicons.model, None
    for c, v in judged:
        if v.reason is None and c.entry.weak and c.category.id in model.categories:
            spans = spans if spans is not None else pieces(text)
            p = piece_probability(model, text, spans, c.start, c.category.id)
            if p < WEAK_SUPPORT:
                v.reason = f"weak entry: the conduct model gives the sentence {p:.2f} for {c.category.id} (needs {WEAK_SUPPORT})"
            else:
                v.support.append(f"weak entry supported by the conduct model ({p:.2f})")


def _model_finding(norm: NormalizedText, lexicons: LexiconSet, flag: ModelFlag) -> Finding:
    category = lexicons.categories[flag.category]
    start, end = norm.to_original(flag.start, flag.end)
    return Finding(
        category=category.id,
        severity=category.severity,
        start=start,
        end=end,
        quote=norm.original[start:end],
        matched=f"conduct model {lexicons.model.version}",
        rule_id=f"{category.id}/model",
        basis=category.basis,
        explanation=(
            f"{category.name_en}: no lexicon entry matched; the statistical model puts this sentence in the "
            f"category with probability {flag.probability:.2f} (weighing most: {', '.join(flag.evidence) or '-'})"
        ),
        confidence=round(flag.probability, 3),
    )


def _resolve(norm: NormalizedText, judged: list[tuple[_Candidate, _Verdict]]) -> tuple[list[Finding], list[Suppressed]]:
    """One finding per overlapping group within a category (the most confident, then longest);
    suppressed candidates overlapping a finding of their category add nothing for audit."""
    flagged = sorted(
        (k for k in judged if k[1].reason is None),
        key=lambda k: (-k[1].confidence, -(k[0].end - k[0].start), k[0].start),
    )
    chosen: list[tuple[_Candidate, _Verdict]] = []
    taken: set[tuple[str, int]] = set()  # (category, character offset) covered by a finding

    def overlaps(c: _Candidate) -> bool:
        return any((c.category.id, i) in taken for i in range(c.start, c.end))

    for c, v in flagged:
        if not overlaps(c):
            chosen.append((c, v))
            taken.update((c.category.id, i) for i in range(c.start, c.end))
    findings = []
    for c, v in sorted(chosen, key=lambda k: (k[0].start, k[0].category.id)):
        start, end = norm.to_original(c.start, c.end)
        findings.append(
            Finding(
                category=c.category.id,
                severity=v.severity,
                start=start,
                end=end,
                quote=norm.original[start:end],
                matched=c.matched,
                rule_id=c.rule_id,
                basis=c.category.basis,
                explanation=f"{c.entry.note or c.category.name_en}: {'; '.join(v.support)}",
                confidence=round(v.confidence, 3),
            )
        )
    suppressed, seen = [], set()
    for c, v in judged:
        if v.reason is None or not v.audit or (c.category.id, c.start, c.end) in seen or overlaps(c):
            continue
        seen.add((c.category.id, c.start, c.end))
        start, end = norm.to_original(c.start, c.end)
        suppressed.append(
            Suppressed(
                category=c.category.id,
                start=start,
                end=end,
                quote=norm.original[start:end],
                matched=c.matched,
                rule_id=c.rule_id,
                reason=v.reason,
            )
        )
    return findings, suppressed
