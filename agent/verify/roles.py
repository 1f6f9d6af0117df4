"""Who did what to whom: a claim must not swap the subject and the object of a source clause.

Where the parse gives both, a clause's subject (``nsubj``, or the ``by`` agent of a passive)
and object (``dobj``, ``dative``, or the subject of a passive) are compared, as content stems,
with the source's clauses of the same verb lemma. ``contradicted`` (kind ``role``) only when a
source clause has the claim's subject as its object and the claim's object as its subject, and
no source clause of that verb has them the claim's way round ("Russia pays North Korea" /
"North Korea pays Russia"). Both sides must hold a proper noun: swapped names, not paraphrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..figures import Figure, stem
from .frames import parse
from .index import SourceIndex
from .report import FigureVerdict, Span


@dataclass(frozen=True)
class Roles:
    verb: str
    subj: frozenset[str]
    obj: frozenset[str]
    named: bool  # both sides hold a proper noun
    span: tuple[int, int]  # the subject's characters
    start: int  # the verb's offset


_NAME_PARTS = frozenset(["compound", "flat", "conj", "appos", "amod"])


def _name(h: Any) -> list[Any]:
    """A side's head with the words that name it ("North Korea", "Anna and Boris"), not
    its modifiers ("a conversation between Anna and Boris" is a conversation)."""
    out = [h]
    for c in h.children:
        if c.dep_ in _NAME_PARTS:
            out += _name(c)
    return out


def _side(toks: list[Any]) -> tuple[frozenset[str], bool, tuple[int, int]]:
    words = [t for h in toks for t in _name(h)]
    stems = frozenset(
        stem(t.lemma_.lower()) for t in words if t.pos_ in ("PROPN", "NOUN") and not t.is_stop
    )
    named = any(t.pos_ == "PROPN" for t in words)
    span = (min(t.idx for t in words), max(t.idx + len(t.text) for t in words)) if words else (0, 0)
    return stems, named, span


def roles(doc: Any) -> list[Roles]:
    out = []
    for v in doc:
        if v.pos_ != "VERB":
            continue
        subj = [c for c in v.children if c.dep_ == "nsubj"]
        obj = [c for c in v.children if c.dep_ in ("dobj", "dative")]
        if not subj:  # a passive: "North Korea is paid by Russia"
            obj = obj or [c for c in v.children if c.dep_ == "nsubjpass"]
            subj = [
                g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"
            ]
        if not subj or not obj:
            continue
        s, s_named, span = _side(subj)
        o, o_named, _ = _side(obj)
        if s and o and not s & o:
            out.append(Roles(v.lemma_.lower(), s, o, s_named and o_named, span, v.idx))
    return out


@lru_cache(maxsize=256)
def _source_roles(text: str) -> dict[str, list[Roles]]:
    by: dict[str, list[Roles]] = {}
    for r in roles(parse(text)):
        by.setdefault(r.verb, []).append(r)
    return by


def role_verdicts(claim_text: str, src: SourceIndex, cited: set[int] | None) -> list[FigureVerdict]:
    """A verdict for each claim clause whose subject and object the source has swapped."""
    by = _source_roles(src.text)
    out = []
    for r in roles(parse(claim_text)):
        if not r.named:
            continue
        same = swapped = None
        for s in by.get(r.verb, []):
            if src.sentence_of(s.start) in src.instructions:
                continue
            if s.subj & r.subj and s.obj & r.obj:
                same = s
            elif s.subj & r.obj and s.obj & r.subj and not s.subj & r.subj:
                swapped = swapped or s
        if swapped is None or same is not None:
            continue
        k = src.sentence_of(swapped.start)
        a, b = src.sentences[k]
        fs, fe = r.span
        out.append(
            FigureVerdict(
                kind="role",
                figure=Figure(text=claim_text[fs:fe], start=fs, end=fe, kind="entity"),
                verdict="contradicted",
                evidence=[Span(start=a, end=b, text=src.text[a:b])],
                reason=f"in the source, {claim_text[fs:fe]!r} is not the subject of "
                f"{r.verb!r}: the roles are the other way round",
                scope="cited" if cited and k in cited else "document",
                binds="subject",
            )
        )
    return out
