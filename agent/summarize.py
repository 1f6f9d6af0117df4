"""The summarizer: numbered sentences in, cited and verified bullets out.

Models first (they are what ``--json`` prints and what the renderers read); the agent loop
follows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field, create_model

from .errors import EmptyInputError, InputError, InvalidOutputError
from .llm import Usage
from .models import SCHEMA_VERSION, Citation, Document, Sentence
from .verify import MIN_GROUNDING, ClaimCheck, grounding

if TYPE_CHECKING:
    from .llm import ChatAdapter
    from .store import Store

Origin = Literal["model", "repaired", "extractive"]
Policy = Literal["fallback", "flag", "drop"]


class DocRef(BaseModel):
    id: str
    title: str
    source: str


class SentenceCitation(Citation):
    """A cited sentence: exact span of the stored document text, with its sentence index.

    ``file_start``/``file_end``: for txt/md documents whose file is unchanged, the span in
    the file's decoded text (characters, BOM excluded): NFC(raw[file_start:file_end]) is
    ``text`` (up to newline/trailing-space normalization inside the span). ``None`` for PDF
    and HTML (offsets point into the extracted canonical text only), stdin and changed files."""

    sentence: int
    file_start: int | None = None
    file_end: int | None = None


class Bullet(BaseModel):
    """One key point. ``text`` is what is shown; ``citations`` slice the stored text exactly."""

    id: str
    text: str
    citations: list[SentenceCitation]
    origin: Origin = "model"
    check: ClaimCheck | None = None
    verified: bool = False  # every figure supported (true for bullets without figures)
    flagged: bool = False  # unverified and kept by --on-unverified flag: always shown marked
    model_text: str | None = None  # what the model wrote, when repair or fallback replaced it
    quote: str | None = None
    grounding: float | None = None  # share of its words found in the cited sentences
    problems: list[str] = Field(default_factory=list)  # why it is unverified, besides figures
    reanchored: list[str] = Field(default_factory=list)  # e.g. "re-anchored S10 -> S12"


class SummaryStats(BaseModel):
    bullets_from_model: int = 0
    unverified_before_repair: int = 0
    repaired: int = 0
    fell_back: int = 0
    dropped: int = 0
    flagged: int = 0
    invalid_citations: int = 0
    reanchored: int = 0  # citations moved to a nearby sentence holding the quote/figure/words
    invalid_replies: int = 0  # replies rejected and re-asked (schema or citation problems)
    duplicates_removed: int = 0  # fallback bullets citing what another bullet already cites
    fallback_central: int = 0  # fallbacks quoting a central sentence (own citations unusable)
    redundant: int = 0  # model bullets repeating an earlier bullet, replaced by such a sentence
    lead_fallback: bool = False  # no reply was usable: the bullets quote central sentences
    extractive_only: bool = False  # --extractive: no model asked
    verify_ms: float = 0.0


class Summary(BaseModel):
    schema_version: str = SCHEMA_VERSION
    documents: list[DocRef]
    bullets: list[Bullet]
    policy: Policy = "fallback"
    endpoint: str = ""
    notice: str | None = None
    usage: Usage = Field(default_factory=Usage)
    stats: SummaryStats = Field(default_factory=SummaryStats)
    warnings: list[str] = Field(default_factory=list)  # e.g. a document addressing the model

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verified(self) -> bool:
        """True when nothing unverified is left in the output and the model wrote at least one
        bullet (a fallback to quotes is not a verified summary), or no model was asked
        (``--extractive``: the quotes are the summary asked for)."""
        asked = self.model_written > 0 or (self.stats.extractive_only and bool(self.bullets))
        return asked and all(b.verified or b.origin == "extractive" for b in self.bullets)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def model_written(self) -> int:
        """Bullets the model wrote (as drafted or repaired), not quoted from the source."""
        return sum(b.origin != "extractive" for b in self.bullets)


# ====================================================================== the agent loop
Length = Literal["short", "medium", "long"]
LENGTH_WORDS: dict[str, int] = {"short": 15, "medium": 25, "long": 40}
MAX_BULLETS = 20
MAX_CITED = 4  # sentence ids per bullet in the model's reply
MAX_TEXT = 400  # characters per bullet; the schema's maxLength stops runaway generations
MAX_QUOTE = 200
QUERY_MIN_SCORE = 0.3  # --query: a document matches when a chunk scores this (cosine) or more
CHARS_PER_TOKEN = 3.5  # conservative estimate for English prose
PROMPT_OVERHEAD_TOKENS = 1000  # system prompt, schema, re-ask messages
REMOTE_CONTEXT_CHARS = 200_000
MAX_EVIDENCE = 30  # sentences shown in one repair call
REPLY_BASE_TOKENS = 40  # the JSON object around the bullets
BULLET_TOKENS = 80  # per bullet besides its text: ids, an optional quote, JSON keys
TOKENS_PER_WORD = 2.4  # English ~1.3-1.6 tokens a word, with room for a bullet over its length
Draft = tuple[str, list[int], str | None, list[str]]  # text, sentence ids, quote, re-anchors
T = TypeVar("T", bound=BaseModel)


# ---------------------------------------------------------------- sources
@dataclass(frozen=True)
class Source:
    """A document and its sentence spans (stored spans for ingested documents)."""

    doc: Document
    sentences: list[Sentence]


@dataclass(frozen=True)
class _Unit:
    """One numbered sentence shown to the model: ``[S{sid}]``."""

    sid: int
    doc: Document
    sentence: Sentence

    @property
    def text(self) -> str:
        return self.doc.text[self.sentence.start : self.sentence.end]

    @property
    def line(self) -> str:
        return f"[S{self.sid}] " + " ".join(self.text.split())


def source_from_file(path: Path | str) -> Source:
    """Load a file (not stored) and split it into sentences."""
    from .chunking import split_sentences
    from .documents import load_path

    doc = load_path(Path(path))
    return Source(doc, split_sentences(doc.text))


def source_from_store(store: Store, doc_id: str) -> Source:
    """An ingested document with the sentence spans its chunks recorded."""
    doc = store.get_document(doc_id)
    sentences = store.sentences(doc.id)
    if not sentences:
        from .chunking import split_sentences

        sentences = split_sentences(doc.text)
    return Source(doc, sentences)


def sources_from_store(
    store: Store,
    *,
    doc_ids: Sequence[str] = (),
    all_docs: bool = False,
    query: str | None = None,
    k: int = 10,
    max_docs: int = 5,
    min_score: float = QUERY_MIN_SCORE,
) -> list[Source]:
    """Documents by id, every ingested document, or those whose chunks match ``query``
    (a chunk scoring at least ``min_score``: nearest is not the same as matching)."""
    ids: list[str] = list(doc_ids)
    if all_docs:
        ids += [d.id for d in store.list_documents()]
    if query is not None:
        hits = store.search(query, k=k)
        good = [h for h in hits if h.score >= min_score]
        found = list(dict.fromkeys(h.doc_id for h in good))[:max_docs]
        if not found:
            best = f"; the best chunk scores {hits[0].score:.2f} < {min_score:g}" if hits else ""
            raise InputError(
                f"no ingested document matches {query!r}{best} (see: verisum docs list)"
            )
        ids += found
    if not ids:
        raise InputError("no documents to summarize (ingest some first: verisum ingest PATH)")
    seen: list[str] = []
    for i in ids:
        full = store.resolve_id(i)
        if full not in seen:
            seen.append(full)
    return [source_from_store(store, i) for i in seen]


# ---------------------------------------------------------------- what the model returns
class DraftBullet(BaseModel):
    """A bullet as the model writes it: text, cited sentence ids, optional verbatim quote."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    sentence_ids: list[int] = Field(min_length=1, max_length=MAX_CITED)
    quote: str | None = Field(default=None, max_length=MAX_QUOTE)


class DraftList(BaseModel):
    bullets: list[DraftBullet] = Field(min_length=1)


class RepairedBullet(DraftBullet):
    id: int


class RepairList(BaseModel):
    bullets: list[RepairedBullet] = Field(min_length=1)


class MergedBullet(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    from_: list[int] = Field(alias="from", min_length=1, max_length=6)


class MergeList(BaseModel):
    bullets: list[MergedBullet] = Field(min_length=1)


def _capped(base: type[T], item: Any, n: int) -> type[T]:
    """``base`` with at most ``n`` bullets (the schema the endpoint constrains to)."""
    return create_model(
        base.__name__,
        __base__=base,
        bullets=(list[item], Field(min_length=1, max_length=n)),
    )


# ---------------------------------------------------------------- the numbered context
class Context:
    def __init__(self, sources: Sequence[Source]):
        self.sources = list(sources)
        self.units: list[_Unit] = []
        for src in self.sources:
            for s in src.sentences:
                self.units.append(_Unit(len(self.units) + 1, src.doc, s))
        self.by_sid = {u.sid: u for u in self.units}
        self.docs = {src.doc.id: src.doc for src in self.sources}
        self.spans = {src.doc.id: [(s.start, s.end) for s in src.sentences] for src in self.sources}
        self.multi = len(self.sources) > 1
        self._file_maps: dict[str, tuple[list[int], list[int]] | None] = {}

    def file_span(self, doc: Document, start: int, end: int) -> tuple[int | None, int | None]:
        """The span in the document's original file (txt/md), if known."""
        from .documents import file_offsets

        if doc.id not in self._file_maps:
            self._file_maps[doc.id] = file_offsets(doc)
        m = self._file_maps[doc.id]
        if m is None or not 0 <= start < end <= len(m[0]):
            return None, None
        return m[0][start], m[1][end - 1]

    def numbered(self, shown: dict[int, _Unit]) -> str:
        """The sentences as the model sees them: ``[S{shown id}] text``, by document."""
        lines: list[str] = []
        current = None
        for i, u in shown.items():
            if self.multi and u.doc.id != current:
                current = u.doc.id
                lines.append(f"## Document {u.doc.id[:12]}: {u.doc.title or u.doc.source}")
            lines.append(f"[S{i}] " + " ".join(u.text.split()))
        return "\n".join(lines)

    def citations(self, sids: Sequence[int]) -> list[SentenceCitation]:
        out = []
        for sid in sorted(set(sids)):
            u = self.by_sid[sid]
            fs, fe = self.file_span(u.doc, u.sentence.start, u.sentence.end)
            out.append(
                SentenceCitation(
                    doc_id=u.doc.id,
                    start=u.sentence.start,
                    end=u.sentence.end,
                    text=u.text,
                    sentence=u.sentence.index,
                    file_start=fs,
                    file_end=fe,
                )
            )
        return out


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).casefold()


def quote_in(quote: str, texts: Sequence[str]) -> bool:
    """True when ``quote`` (whitespace, case and curly quotes aside) is inside one of ``texts``."""
    q = _norm(quote).strip(" \"'.,;:")
    return bool(q) and any(q in _norm(t) for t in texts)


def _id_range(sids: Sequence[int] | set[int]) -> str:
    s = sorted(sids)
    if s and s[-1] - s[0] + 1 == len(s):
        return f"S{s[0]}-S{s[-1]}" if len(s) > 1 else f"S{s[0]}"
    return ", ".join(f"S{i}" for i in s[:40]) + (" ..." if len(s) > 40 else "")


def citation_problems(
    bullets: Sequence[DraftBullet], shown: dict[int, _Unit], multi: bool, label: str = "bullet"
) -> list[str]:
    """Why the cited ids or quotes of ``bullets`` are not acceptable (empty: all fine)."""
    problems = []
    for n, b in enumerate(bullets, 1):
        name = f"{label} {getattr(b, 'id', n)}"
        unknown = [i for i in b.sentence_ids if i not in shown]
        if unknown:
            problems.append(
                f"{name} cites unknown sentence id(s) {unknown}; valid ids: {_id_range(set(shown))}"
            )
            continue
        if multi and len({shown[i].doc.id for i in b.sentence_ids}) > 1:
            problems.append(f"{name} cites sentences of several documents; cite one document")
            continue
        if (
            b.quote
            and not quote_in(b.quote, [shown[i].text for i in b.sentence_ids])
            and not quote_fixable(b, shown)  # re-anchored without asking again
        ):
            problems.append(
                f"{name}: quote {b.quote[:80]!r} is not copied verbatim from its cited "
                f"sentence(s) {', '.join(f'S{i}' for i in b.sentence_ids)}; copy it exactly or "
                "omit it"
            )
    return problems


def citation_checker(
    problems_of: Callable[[Any], list[str]],
) -> Callable[[Any], None]:
    """A ``check=`` hook raising ``ValueError`` with every problem. A reply identical to one
    already rejected passes: asking again would not change it, and the caller salvages it."""
    rejected: set[str] = set()

    def check(reply: Any) -> None:
        problems = problems_of(reply)
        if problems:
            key = reply.model_dump_json()
            if key in rejected:
                return
            rejected.add(key)
            raise ValueError("; ".join(problems))

    return check


REANCHOR_WINDOW = 3  # sentences either side of a cited id searched for a misnumbered citation
REANCHOR_GROUNDING = 0.67  # share of the bullet's words a sentence must hold to be re-anchored to
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _numbers(text: str) -> set[str]:
    """Digit strings of ``text``, normalized ("11,000" -> "11000")."""
    return {m.group(0).replace(",", "").rstrip(".") for m in _DIGITS.finditer(text)}


def reanchor(
    text: str, quote: str | None, ids: list[int], shown: dict[int, _Unit]
) -> tuple[list[int], list[str]]:
    """Fix citations that are off by a few ids, deterministically: (new ids, notes such as
    "re-anchored S10 -> S12"). ``ids`` are valid shown ids of one document.

    1. A quote not in the cited sentences but copied verbatim from exactly one sentence of the
       same document (anywhere) or from sentences near the cited ids: cite the nearest of
       those instead of the nearest cited id.
    2. The bullet has digit strings and no cited sentence holds any of them: the nearest
       sentence within ``REANCHOR_WINDOW`` holding all of them and ``REANCHOR_GROUNDING`` of
       the bullet's words replaces the nearest cited id.
    3. Too few of the bullet's words in the cited sentences (below ``MIN_GROUNDING``): the one
       swap of a cited id for a sentence within the window that gives the highest share, if
       that share reaches ``REANCHOR_GROUNDING``.
    Ties go to the nearest sentence, then the lower id. Nothing found: ids unchanged."""
    if not ids:
        return ids, []
    doc = shown[ids[0]].doc.id
    same = sorted(i for i, u in shown.items() if u.doc.id == doc)
    ids = list(ids)
    notes: list[str] = []

    def near(j: int) -> int:
        return min(abs(j - c) for c in ids)

    def nearest_cited(j: int, among: Sequence[int] | None = None) -> int:
        pool = list(among) if among is not None else ids
        return min(pool, key=lambda c: (abs(j - c), c))

    def swap(old: int, new: int) -> None:
        ids[ids.index(old)] = new
        notes.append(f"re-anchored S{old} -> S{new}")

    def add(new: int) -> None:
        ids.append(new)
        notes.append(f"re-anchored +S{new} (near S{nearest_cited(new, ids[:-1])})")

    # 1. a verbatim quote elsewhere
    if quote and not quote_in(quote, [shown[i].text for i in ids]):
        holders = [j for j in same if quote_in(quote, [shown[j].text])]
        close = [j for j in holders if near(j) <= REANCHOR_WINDOW]
        pick = close or (holders if len(holders) == 1 else [])
        if pick:
            target = min(pick, key=lambda j: (near(j), j))
            swap(nearest_cited(target), target)
    # 2. figures held by a neighbour (never added to a cited sentence that holds one: that
    #    would lend a misattributed figure the support of another sentence)
    nums = _numbers(text)
    cited_nums = set().union(*(_numbers(shown[i].text) for i in ids)) if nums else set()
    if nums and not nums & cited_nums:
        cands = [
            j
            for j in same
            if j not in ids
            and near(j) <= REANCHOR_WINDOW
            and nums <= _numbers(shown[j].text)
            and grounding(text, [shown[j].text]) >= REANCHOR_GROUNDING
        ]
        if cands:
            target = min(cands, key=lambda j: (near(j), j))
            swap(nearest_cited(target), target)
    # 3. words
    if grounding(text, [shown[i].text for i in ids]) < MIN_GROUNDING:
        best: tuple[float, int, int, int] | None = None
        for c in ids:
            for j in same:
                if j in ids or abs(j - c) > REANCHOR_WINDOW:
                    continue
                trial = [shown[i].text for i in ids if i != c] + [shown[j].text]
                gj = grounding(text, trial)
                if gj >= REANCHOR_GROUNDING:
                    key = (-gj, abs(j - c), j, c)
                    if best is None or key < best:
                        best = key
        if best is not None:
            swap(best[3], best[2])
    return sorted(dict.fromkeys(ids)), notes


def clean_draft(
    b: DraftBullet, shown: dict[int, _Unit], multi: bool, notes: list[str] | None = None
) -> tuple[list[int], str | None, int]:
    """Salvage a bullet: (valid global sentence ids, quote or None, number of ids and quotes
    dropped). Unknown ids and ids of a second document are dropped; with ``notes`` given,
    citations off by a few ids are re-anchored (``reanchor``) and the changes appended."""
    ids = [i for i in dict.fromkeys(b.sentence_ids) if i in shown]
    dropped = len(b.sentence_ids) - len(ids)
    if multi and ids:
        counts: dict[str, int] = {}
        for i in ids:
            counts[shown[i].doc.id] = counts.get(shown[i].doc.id, 0) + 1
        keep = max(counts, key=lambda d: counts[d])
        dropped += len([i for i in ids if shown[i].doc.id != keep])
        ids = [i for i in ids if shown[i].doc.id == keep]
    if notes is not None and ids:
        ids, moved = reanchor(b.text, b.quote, ids, shown)
        notes.extend(moved)
    quote = b.quote
    if quote and not (ids and quote_in(quote, [shown[i].text for i in ids])):
        quote, dropped = None, dropped + 1
    return [shown[i].sid for i in ids], quote, dropped


def quote_fixable(b: DraftBullet, shown: dict[int, _Unit]) -> bool:
    """Would ``reanchor`` find the bullet's non-verbatim quote in a nearby sentence?"""
    ids = [i for i in b.sentence_ids if i in shown]
    if not ids or not b.quote:
        return False
    moved, _ = reanchor("", b.quote, ids, shown)
    return quote_in(b.quote, [shown[i].text for i in moved])


# ---------------------------------------------------------------- the loop
class Run:
    """State of one ``summarize`` call (``adapter`` is ``None`` for ``--extractive``)."""

    def __init__(
        self,
        ctx: Context,
        adapter: ChatAdapter | None,
        *,
        n: int,
        length: Length,
        focus: str | None,
        policy: Policy,
        embedder: Any = None,
    ):
        self.ctx = ctx
        self._adapter = adapter
        self._embedder = embedder
        self.n = n
        self.focus = (focus or "the main points of the source").strip()
        self.focus_line = f"{self.focus} (each bullet at most {LENGTH_WORDS[length]} words)"
        self.policy = policy
        self.words = LENGTH_WORDS[length]
        self.stats = SummaryStats()
        self.usage = Usage()
        self.warnings: set[str] = set()

    @property
    def adapter(self) -> ChatAdapter:
        if self._adapter is None:
            raise InvalidOutputError("no model in an extractive summary")
        return self._adapter

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from .embeddings import get_embedder

            self._embedder = get_embedder()
        return self._embedder

    def central(
        self,
        k: int,
        exclude: set[tuple[str, int]],
        doc_id: str | None = None,
        shown: Sequence[str] = (),
    ) -> list[_Unit]:
        """Up to ``k`` central readable sentences (of ``doc_id``, or of all documents), none
        of ``exclude`` ((doc id, start) of sentences already quoted or cited)."""
        from .extractive import pick

        units = [u for u in self.ctx.units if doc_id is None or u.doc.id == doc_id]
        if not units or k <= 0:
            return []
        banned = [i for i, u in enumerate(units) if (u.doc.id, u.sentence.start) in exclude]
        idx = pick(
            [u.text for u in units],
            k,
            self.embedder,
            title=units[0].doc.title,
            exclude=banned,
            shown=shown,
        )
        return [units[i] for i in idx]

    def ask(
        self,
        name: str,
        schema: type[T],
        check: Callable[[Any], None],
        max_tokens: int | None = None,
        **vars: Any,
    ) -> T | None:
        """One ``complete``; on invalid output after the re-asks, the last reply that parses
        (its problems are salvaged by the caller), or ``None``."""
        from .llm import parse_reply
        from .prompts import load_prompt

        first = len(self.adapter.calls)
        try:
            obj, usage = self.adapter.complete(
                load_prompt(name), schema, check=check, max_tokens=max_tokens, **vars
            )
            self.usage = self.usage + usage
            self.stats.invalid_replies += sum(
                c.status == "invalid" for c in self.adapter.calls[first:]
            )
            return obj
        except InvalidOutputError:
            calls = self.adapter.calls[first:]
            for c in calls:
                self.usage = self.usage + c.usage
            self.stats.invalid_replies += sum(c.status == "invalid" for c in calls)
            for c in reversed(calls):
                if c.response is None:
                    continue
                try:
                    return parse_reply(c.response, schema)
                except (ValueError, TypeError):
                    continue
            return None

    # ------------------------------------------------------------ drafting
    def draft(self, units: Sequence[_Unit]) -> list[Draft] | None:
        """Summarize ``units``: (text, cited sentence ids, quote, re-anchor notes) per bullet;
        ``None`` when no reply parsed at all."""
        # numbered from 1 in every section: small models cite [S1].. whatever they are shown
        shown = dict(enumerate(units, 1))
        multi = self.ctx.multi
        schema = _capped(DraftList, DraftBullet, self.n)
        reply = self.ask(
            "summarize",
            schema,
            citation_checker(lambda r: citation_problems(r.bullets, shown, multi)),
            max_tokens=reply_tokens(self.n, self.words),
            sentences=self.ctx.numbered(shown),
            max_bullets=self.n,
            focus=self.focus_line,
        )
        if reply is None:
            return None
        out: list[Draft] = []
        for b in reply.bullets:
            notes: list[str] = []
            ids, quote, dropped = clean_draft(b, shown, multi, notes)
            self.stats.invalid_citations += dropped
            self.stats.reanchored += len(notes)
            if ids:
                out.append((b.text.strip(), ids, quote, notes))
            else:
                self.stats.dropped += 1
        return out

    def merge(self, parts: list[Draft]) -> list[Draft]:
        """Second level: merge section bullets; merged bullets cite their parts' sentences."""
        lines = [f"[B{i}] {' '.join(p[0].split())}" for i, p in enumerate(parts, 1)]
        allowed = set(range(1, len(parts) + 1))

        def problems_of(reply: Any) -> list[str]:
            problems = []
            for n, b in enumerate(reply.bullets, 1):
                bad = [i for i in b.from_ if i not in allowed]
                if bad:
                    problems.append(
                        f"bullet {n} uses unknown bullet id(s) {bad}; valid: B1-B{len(parts)}"
                    )
                elif (
                    self.ctx.multi
                    and len({self.ctx.by_sid[parts[i - 1][1][0]].doc.id for i in b.from_}) > 1
                ):
                    problems.append(f"bullet {n} merges bullets of several documents")
            return problems

        reply = self.ask(
            "merge",
            _capped(MergeList, MergedBullet, self.n),
            citation_checker(problems_of),
            max_tokens=reply_tokens(self.n, self.words),
            bullets="\n".join(lines),
            max_bullets=self.n,
            focus=self.focus_line,
        )
        if reply is None:
            return parts[: self.n]
        out: list[Draft] = []
        for b in reply.bullets:
            src = [i for i in dict.fromkeys(b.from_) if i in allowed]
            if self.ctx.multi and src:
                doc = self.ctx.by_sid[parts[src[0] - 1][1][0]].doc.id
                src = [i for i in src if self.ctx.by_sid[parts[i - 1][1][0]].doc.id == doc]
            self.stats.invalid_citations += len(b.from_) - len(src)
            sids = sorted({s for i in src for s in parts[i - 1][1]})
            if sids:
                out.append((b.text.strip(), sids, None, []))
            else:
                self.stats.dropped += 1
        return out or parts[: self.n]

    # ------------------------------------------------------------ verification
    def verify(self, bullets: Sequence[Bullet]) -> None:
        """Verify each bullet against its cited spans (in its document); fill check/verified."""
        import time

        from .verify import Claim, verify_claims

        t0 = time.perf_counter()
        by_doc: dict[str, list[Bullet]] = {}
        for b in bullets:
            by_doc.setdefault(b.citations[0].doc_id, []).append(b)
        for doc_id, group in by_doc.items():
            doc = self.ctx.docs[doc_id]
            claims = [
                Claim(id=b.id, text=b.text, citations=[(c.start, c.end) for c in b.citations])
                for b in group
            ]
            report = verify_claims(
                doc.text,
                claims,
                self.ctx.spans[doc_id],
                source_id=doc.id,
                source_title=doc.title,
            )
            self.warnings.update(f"{doc.title or doc.id}: {w}" for w in report.warnings)
            for b, chk in zip(group, report.checks, strict=True):
                b.check = chk
                b.grounding = round(grounding(b.text, [c.text for c in b.citations]), 2)
                b.problems = (
                    [f"only {b.grounding:.0%} of its words appear in the cited sentences"]
                    if b.grounding < MIN_GROUNDING
                    else []
                )
                b.verified = chk.verified and not b.problems
        self.stats.verify_ms += (time.perf_counter() - t0) * 1000

    # ------------------------------------------------------------ repair
    def repair(self, failing: list[Bullet]) -> dict[str, Bullet]:
        """One call for all failing bullets; returns the repaired bullets that now verify."""
        bullets, failures, evidence_sids = [], [], set()
        for n, b in enumerate(failing, 1):
            cited = self._sids(b)
            evidence_sids |= cited
            refs = ", ".join(f"S{i}" for i in sorted(cited))
            bullets.append(f"[B{n}] {' '.join(b.text.split())} (cites {refs})")
            assert b.check is not None
            if b.grounding is not None and b.grounding < MIN_GROUNDING:
                failures.append(
                    f"[B{n}] only {b.grounding:.0%} of its words appear in the sentences it "
                    "cites: restate what those sentences say"
                )
            for v in b.check.verdicts:
                if v.verdict == "supported":
                    continue
                cands = self._sids_of_spans(
                    b.citations[0].doc_id, [(e.start, e.end) for e in v.evidence]
                )
                evidence_sids |= cands
                where = (
                    f"; candidates: {', '.join(f'S{i}' for i in sorted(cands))}" if cands else ""
                )
                failures.append(
                    f'[B{n}] "{v.figure.text}": {v.verdict.replace("_", " ")}'
                    f"{' (' + v.reason + ')' if v.reason else ''}{where}"
                )
        # the evidence keeps the document's numbering, which the bullets' "cites" use
        shown = {i: self.ctx.by_sid[i] for i in sorted(evidence_sids)[:MAX_EVIDENCE]}
        ids = set(range(1, len(failing) + 1))

        def problems_of(reply: Any) -> list[str]:
            problems = [
                f"bullet id {b.id} is not one of B1-B{len(failing)}"
                for b in reply.bullets
                if b.id not in ids
            ]
            return problems + citation_problems(reply.bullets, shown, self.ctx.multi)

        reply = self.ask(
            "repair",
            _capped(RepairList, RepairedBullet, len(failing)),
            citation_checker(problems_of),
            max_tokens=reply_tokens(len(failing), self.words),
            bullet="\n".join(bullets),
            failures="\n".join(failures),
            evidence=self.ctx.numbered(shown),
        )
        if reply is None:
            return {}
        fixed: list[Bullet] = []
        for r in reply.bullets:
            if r.id not in ids:
                continue
            orig = failing[r.id - 1]
            notes: list[str] = []
            sids, quote, dropped = clean_draft(r, shown, self.ctx.multi, notes)
            self.stats.invalid_citations += dropped
            self.stats.reanchored += len(notes)
            if not sids or any(f.id == orig.id for f in fixed):
                continue
            fixed.append(
                Bullet(
                    id=orig.id,
                    text=r.text.strip(),
                    citations=self.ctx.citations(sids),
                    origin="repaired",
                    model_text=orig.text,
                    quote=quote,
                    reanchored=notes,
                )
            )
        if fixed:
            self.verify(fixed)
        return {b.id: b for b in fixed if b.verified}

    def _sids(self, b: Bullet) -> set[int]:
        return self._sids_of_spans(b.citations[0].doc_id, [(c.start, c.end) for c in b.citations])

    def _sids_of_spans(self, doc_id: str, spans: Sequence[tuple[int, int]]) -> set[int]:
        return {
            u.sid
            for u in self.ctx.units
            if u.doc.id == doc_id
            and any(u.sentence.start < e and s < u.sentence.end for s, e in spans)
        }

    # ------------------------------------------------------------ policy
    def settle(self, b: Bullet) -> Bullet | None:
        """A bullet still unverified after repair, under the policy: dropped (``None``),
        flagged, or replaced by its cited sentences (fallback)."""
        if self.policy == "drop":
            self.stats.dropped += 1
            return None
        if self.policy == "flag":
            b.flagged = True
            self.stats.flagged += 1
            return b
        self.stats.fell_back += 1
        return self.extractive(b)

    def extractive(self, b: Bullet) -> Bullet:
        text = quoted_text(b.citations)
        return Bullet(
            id=b.id,
            text=text,
            citations=b.citations,
            origin="extractive",
            verified=True,  # the source's own words: verified by construction
            model_text=b.text or None,
        )


def reply_tokens(n: int, words: int) -> int:
    """Output-token cap for a reply of ``n`` bullets of about ``words`` words: enough for a
    complete reply, short enough that a looping small model stops early."""
    return REPLY_BASE_TOKENS + n * (int(words * TOKENS_PER_WORD) + BULLET_TOKENS)


def context_budget(adapter: ChatAdapter) -> int:
    """Characters of numbered sentences that fit one call to ``adapter``'s endpoint."""
    if adapter.endpoint.kind != "local":
        return REMOTE_CONTEXT_CHARS
    from .localmodel import DEFAULT_CTX

    tokens = DEFAULT_CTX - 2 * adapter.max_tokens - PROMPT_OVERHEAD_TOKENS
    return max(2000, int(tokens * CHARS_PER_TOKEN))


def sections(units: Sequence[_Unit], budget: int) -> list[list[_Unit]]:
    """Runs of consecutive sentences, each at most ``budget`` characters as shown."""
    out: list[list[_Unit]] = [[]]
    size = 0
    for u in units:
        cost = len(u.line) + 1
        if out[-1] and size + cost > budget:
            out.append([])
            size = 0
        out[-1].append(u)
        size += cost
    return out


def summarize(
    sources: Sequence[Source],
    adapter: ChatAdapter,
    *,
    bullets: int = 5,
    length: Length = "medium",
    focus: str | None = None,
    policy: Policy = "fallback",
    context_chars: int | None = None,
    embedder: Any = None,
) -> Summary:
    """Summarize ``sources`` into at most ``bullets`` cited bullets, each verified.

    One call when the sentences fit ``context_chars`` (default: the endpoint's budget), else
    one per section plus a merge call; then one repair call for every bullet whose figures are
    not all supported; what still fails follows ``policy``. Citations always slice the
    documents' text exactly.
    """
    if not 1 <= bullets <= MAX_BULLETS:
        raise InputError(f"--bullets must be between 1 and {MAX_BULLETS}, not {bullets}")
    if length not in LENGTH_WORDS:
        raise InputError(f"--length must be one of {', '.join(LENGTH_WORDS)}, not {length!r}")
    if not sources:
        raise InputError("no documents to summarize")
    ctx = Context(sources)
    if not ctx.units:
        names = ", ".join(s.doc.source or s.doc.id for s in sources)
        raise EmptyInputError(f"nothing to summarize: no sentences in {names}")
    run = Run(ctx, adapter, n=bullets, length=length, focus=focus, policy=policy, embedder=embedder)
    budget = context_chars or context_budget(adapter)
    parts = sections(ctx.units, budget)
    replies = [run.draft(part) for part in parts]
    drafts = [d for r in replies if r is not None for d in r]
    no_reply = all(r is None for r in replies)
    if no_reply and policy != "fallback":
        raise InvalidOutputError(
            f"{adapter.endpoint.describe()} gave no usable summary (see: verisum logs)"
        )
    if no_reply or (not drafts and policy == "fallback"):
        # nothing usable from the model (no reply, or no bullet with a valid citation):
        # the document's central sentences
        run.stats.lead_fallback = True
        drafts = [("", [u.sid], None, []) for u in run.central(bullets, set())]
    elif len(parts) > 1 and len(drafts) > bullets:
        drafts = run.merge(drafts)
    out = [
        Bullet(id=f"b{i}", text=text, citations=ctx.citations(sids), quote=quote, reanchored=notes)
        for i, (text, sids, quote, notes) in enumerate(drafts[:bullets], 1)
    ]
    if run.stats.lead_fallback:
        out = [run.extractive(b) for b in out]
        run.stats.fell_back = len(out)
    run.stats.bullets_from_model = sum(b.origin == "model" for b in out)
    run.verify([b for b in out if b.origin == "model"])
    failing = [b for b in out if not b.verified]
    run.stats.unverified_before_repair = len(failing)
    fixed = run.repair(failing) if failing else {}
    settled: list[Bullet] = []
    for b in out:
        if b.id in fixed:
            b = fixed[b.id]
            run.stats.repaired += 1
        elif not b.verified:
            kept = run.settle(b)
            if kept is None:
                continue
            b = kept
        settled.append(b)
    final = readable_fallbacks(run, settled)
    return _finish(run, sources, final, adapter)


def readable_fallbacks(run: Run, bullets: list[Bullet]) -> list[Bullet]:
    """Make every bullet worth reading, deterministically, without asking the model again.

    1. A model bullet repeating an earlier one (``extractive.redundant``: same figures, very
       similar embedding) is replaced, like a fallback, by a central sentence.
    2. A fallback bullet quotes those of its cited sentences that read as sentences, are not
       quoted or cited by another bullet, and do not repeat what one says.
    3. Fallbacks left with nothing quote the most central readable sentences of their document
       not yet shown, unlike what the summary says (MMR); if none is left, they are dropped.
    """
    from .extractive import readable, redundant

    def key(c: SentenceCitation) -> tuple[str, int]:
        return (c.doc_id, c.start)

    if not bullets:
        return bullets
    written = [b for b in bullets if b.origin != "extractive"]
    repeats = {written[i].id for i in redundant([b.text for b in written], run.embedder)}
    used = {
        key(c)
        for b in bullets
        if b.origin != "extractive" and b.id not in repeats
        for c in b.citations
    }
    said = [b.text for b in written if b.id not in repeats]
    out: list[Bullet | None] = []
    pending: list[int] = []
    for b in bullets:
        if b.id in repeats:
            run.stats.redundant += 1
            pending.append(len(out))
            out.append(b.model_copy(update={"origin": "extractive", "model_text": b.text}))
            continue
        if b.origin != "extractive":
            out.append(b)
            continue
        title = run.ctx.docs[b.citations[0].doc_id].title
        keep = [c for c in b.citations if readable(c.text, title) and key(c) not in used]
        text = quoted_text(keep)
        if keep and not (said and redundant([*said, text], run.embedder)[-1:] == [len(said)]):
            used |= {key(c) for c in keep}
            said.append(text)
            out.append(_quoting(b, keep))
        else:
            pending.append(len(out))
            out.append(b)
    by_doc: dict[str, list[int]] = {}
    for i in pending:
        fb = out[i]
        assert fb is not None
        by_doc.setdefault(fb.citations[0].doc_id, []).append(i)
    for doc_id, slots in by_doc.items():
        picks = run.central(len(slots), used, doc_id, shown=said)
        for n, i in enumerate(slots):
            fb = out[i]
            assert fb is not None
            if n < len(picks):
                out[i] = _quoting(fb, run.ctx.citations([picks[n].sid]))
                run.stats.fallback_central += 1
            else:
                out[i] = None
                run.stats.duplicates_removed += 1  # nothing left to quote that is not shown
    return [b for b in out if b is not None]


_LIST_MARK = re.compile(r"^[•·▪◦*–-]\s+")


def quoted_text(cites: Sequence[SentenceCitation]) -> str:
    """The cited sentences as one bullet's text (whitespace joined, list marks dropped; the
    citations keep the exact spans)."""
    return " ".join(_LIST_MARK.sub("", " ".join(c.text.split())) for c in cites)


def _quoting(b: Bullet, cites: list[SentenceCitation]) -> Bullet:
    return b.model_copy(update={"citations": cites, "text": quoted_text(cites)})


def _finish(
    run: Run, sources: Sequence[Source], final: list[Bullet], adapter: ChatAdapter | None
) -> Summary:
    extractive = [b for b in final if b.origin == "extractive"]
    if extractive:
        run.verify(extractive)  # colours their figures; they stay verified by construction
        for b in extractive:
            b.verified = True
    return Summary(
        documents=[DocRef(id=s.doc.id, title=s.doc.title, source=s.doc.source) for s in sources],
        bullets=final,
        policy=run.policy,
        endpoint=adapter.endpoint.describe() if adapter else "extractive (no model)",
        notice=adapter.endpoint.notice if adapter else None,
        usage=run.usage,
        stats=run.stats,
        warnings=sorted(run.warnings),
    )


def summarize_extractive(
    sources: Sequence[Source], *, bullets: int = 5, embedder: Any = None
) -> Summary:
    """A summary with no model at all: the ``bullets`` most central readable sentences
    (maximal marginal relevance over their embeddings), quoted and verified like any other."""
    if not 1 <= bullets <= MAX_BULLETS:
        raise InputError(f"--bullets must be between 1 and {MAX_BULLETS}, not {bullets}")
    if not sources:
        raise InputError("no documents to summarize")
    ctx = Context(sources)
    if not ctx.units:
        names = ", ".join(s.doc.source or s.doc.id for s in sources)
        raise EmptyInputError(f"nothing to summarize: no sentences in {names}")
    run = Run(
        ctx, None, n=bullets, length="medium", focus=None, policy="fallback", embedder=embedder
    )
    run.stats.extractive_only = True
    picks = run.central(bullets, set())
    final = [
        Bullet(
            id=f"b{i}",
            text=quoted_text(ctx.citations([u.sid])),
            citations=ctx.citations([u.sid]),
            origin="extractive",
            verified=True,
        )
        for i, u in enumerate(picks, 1)
    ]
    return _finish(run, sources, final, None)
