"""The summarizer: numbered sentences in, cited and verified bullets out.

One call drafts the bullets when the sentences fit the endpoint's context, else one call per
section and a merge call; the drafts then go through the statement pipeline
(``agent.statements``: verify, repair once, the unverified policy), and the fallbacks are made
worth reading (``readable_fallbacks``). The models it returns live in ``agent.models``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from .citations import (
    MAX_CITED,
    MAX_QUOTE,
    MAX_TEXT,
    DraftBullet,
    citation_checker,
    citation_problems,
)
from .context import Context, Source, Unit, source_from_file, source_from_store
from .errors import EmptyInputError, InputError, InvalidOutputError
from .models import Bullet, DocRef, Policy, SentenceCitation, Summary
from .statements import (
    LENGTH_WORDS,
    Draft,
    Length,
    Run,
    _capped,
    quoted_text,
    reply_tokens,
    seal,
    settle,
)

if TYPE_CHECKING:
    from .llm import ChatAdapter
    from .store import Store

MAX_BULLETS = 20
QUERY_MIN_SCORE = 0.3  # --query: a document matches when a chunk scores this (cosine) or more
CHARS_PER_TOKEN = 3.5  # conservative estimate for English prose
PROMPT_OVERHEAD_TOKENS = 1000  # system prompt, schema, re-ask messages
REMOTE_CONTEXT_CHARS = 200_000
# extract, then abstract: a small (local) model shown a document of more than SELECT_ABOVE
# characters (numbered) sees this many central, mutually different sentences per bullet
# asked for, in one part per bullet, instead of the whole document
# On by default for the bundled model once the recordings are re-made with it: it changes the
# recorded requests of every summary over SELECT_ABOVE (bench_summarize --select measures it).
SELECT_LOCAL = False
SELECT_ABOVE = 2000
SELECT_PER_BULLET = 2
SELECT_MIN = 8  # ... and never fewer than this many (of each document: SELECT_MIN_PER_DOC)
SELECT_MIN_PER_DOC = 3
# The repair call continues the draft's conversation (a prefix llama.cpp has cached) instead of
# a prompt of its own. Measured on (bench_summarize --continue-repair), off until the recorded
# repairs are re-made with it (it changes every recorded repair request).
REPAIR_CONTINUES = False
PARTS_NOTE = (  # appended to the summarize prompt's last line when the source is in parts
    "\n\nThe source comes in {n} parts (Part 1: to Part {n}:). Write exactly one bullet for"
    ' each part, in order, with its "part" number, about what that part says, citing its'
    ' sentences: {{"bullets": [{{"part": 1, "text": "...", "sentence_ids": [...]}}, ...]}}.'
)


# ---------------------------------------------------------------- sources
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
class DraftList(BaseModel):
    bullets: list[DraftBullet] = Field(min_length=1)


def parts_schema(n: int) -> type[DraftList]:
    """The reply when the source comes in ``n`` parts: exactly ``n`` bullets, the i-th
    opening with ``"part": i`` (a JSON-schema tuple), so that a grammar-constrained model
    writes a bullet about each part in turn instead of several about the first."""
    items: list[Any] = []
    for i in range(1, n + 1):
        fields: dict[str, Any] = {
            "part": (Literal.__getitem__(i), ...),
            "text": (str, Field(min_length=1, max_length=MAX_TEXT)),
            "sentence_ids": (list[int], Field(min_length=1, max_length=MAX_CITED)),
            "quote": (str | None, Field(default=None, max_length=MAX_QUOTE)),
        }
        items.append(create_model(f"Part{i}Bullet", **fields))
    tupled: Any = tuple.__class_getitem__(tuple(items))
    return create_model("DraftParts", __base__=DraftList, bullets=(tupled, ...))


class MergedBullet(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    from_: list[int] = Field(alias="from", min_length=1, max_length=6)


class MergeList(BaseModel):
    bullets: list[MergedBullet] = Field(min_length=1)


# ---------------------------------------------------------------- drafting
class SummaryRun(Run):
    """A ``Run`` that drafts and merges bullets, and picks central sentences for fallbacks."""

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
        select: bool = False,
    ):
        super().__init__(ctx, adapter, words=LENGTH_WORDS[length], policy=policy)
        self._embedder = embedder
        self.n = n
        self.select = select
        self.threads: list[list[dict[str, str]] | None] = []  # each draft call's conversation
        self.parts: list[int] = []  # ids opening a part of the last draft's sentences
        self.focus = (focus or "the main points of the source").strip()
        self.focus_line = f"{self.focus} (each bullet at most {LENGTH_WORDS[length]} words)"

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
    ) -> list[Unit]:
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

    def shown(self, units: Sequence[Unit]) -> dict[int, Unit]:
        """The sentences the model is shown for ``units``, by the id it sees; sets
        ``self.parts`` (the ids that open a part, empty: no parts).

        With ``select`` and more than ``SELECT_ABOVE`` characters: of each document, its
        central, mutually different readable sentences (``extractive.select``;
        ``SELECT_PER_BULLET`` per bullet, shared by the documents as their sentences are), in
        document order under their own ids, so that a re-ask and the repair call number them
        as the draft did. With one document they come in ``n`` parts, each opening with one
        of its ``n`` most central sentences, one bullet asked of each: a small model shown a
        whole news article restates its lead, and it writes a part's bullet from the part's
        first sentence. Else every sentence, numbered from 1 in every section: small models
        cite [S1].. whatever they are shown."""
        self.parts = []
        if not self.select or sum(len(u.line) + 1 for u in units) <= SELECT_ABOVE:
            return dict(enumerate(units, 1))
        import math

        from .extractive import select

        k = max(SELECT_MIN, math.ceil(SELECT_PER_BULLET * self.n))
        by_doc: dict[str, list[Unit]] = {}
        for u in units:
            by_doc.setdefault(u.doc.id, []).append(u)
        out: list[Unit] = []
        for group in by_doc.values():
            share = max(SELECT_MIN_PER_DOC, round(k * len(group) / len(units)))
            idx, anchors = select(
                [u.text for u in group],
                share,
                self.embedder,
                title=group[0].doc.title,
                anchors=0 if self.ctx.multi else self.n,
            )
            out += [group[i] for i in idx]
            self.parts = [group[i].sid for i in anchors]
        if len(self.parts) < 2:
            self.parts = []
        return {u.sid: u for u in out}

    def layout(self, shown: dict[int, Unit]) -> str:
        """The numbered sentences as the model reads them, "Part 1:" .. when in parts (the
        sentences before the first part's opening sentence belong to it)."""
        if not self.parts:
            return self.ctx.numbered(shown)
        lines: list[str] = []
        part: dict[int, Unit] = {}
        for sid, u in shown.items():
            if sid in self.parts[1:] and part:
                lines += [f"Part {len(lines) // 2 + 1}:", self.ctx.numbered(part)]
                part = {}
            part[sid] = u
        lines += [f"Part {len(lines) // 2 + 1}:", self.ctx.numbered(part)]
        return "\n".join(lines)

    def draft(self, units: Sequence[Unit]) -> list[Draft] | None:
        """Summarize ``units`` into drafts; ``None`` when no reply parsed at all."""
        shown = self.shown(units)
        multi = self.ctx.multi
        schema: Any = (
            parts_schema(len(self.parts)) if self.parts else _capped(DraftList, DraftBullet, self.n)
        )
        first = len(self.adapter.calls)
        reply = self.ask(
            "summarize",
            schema,
            citation_checker(lambda r: citation_problems(r.bullets, shown, multi)),
            max_tokens=reply_tokens(self.n, self.words),
            sentences=self.layout(shown),
            max_bullets=self.n,
            focus=self.focus_line,
            parts=PARTS_NOTE.format(n=len(self.parts)) if self.parts else "",
        )
        self.threads.append(self.last_thread(first))
        if reply is None:
            return None
        return [d for b in reply.bullets if (d := self.clean(b, shown)) is not None]

    def merge(self, parts: list[Draft]) -> list[Draft]:
        """Second level: merge section bullets; merged bullets cite their parts' sentences."""
        lines = [f"[B{i}] {' '.join(p.text.split())}" for i, p in enumerate(parts, 1)]
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
                    and len({self.ctx.by_sid[parts[i - 1].sids[0]].doc.id for i in b.from_}) > 1
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
                doc = self.ctx.by_sid[parts[src[0] - 1].sids[0]].doc.id
                src = [i for i in src if self.ctx.by_sid[parts[i - 1].sids[0]].doc.id == doc]
            self.stats.invalid_citations += len(b.from_) - len(src)
            sids = sorted({s for i in src for s in parts[i - 1].sids})
            if sids:
                out.append(Draft(text=b.text.strip(), sids=sids))
            else:
                self.stats.dropped += 1
        return out or parts[: self.n]


def context_budget(adapter: ChatAdapter) -> int:
    """Characters of numbered sentences that fit one call to ``adapter``'s endpoint."""
    if adapter.endpoint.kind != "local":
        return REMOTE_CONTEXT_CHARS
    from .localmodel import DEFAULT_CTX

    tokens = DEFAULT_CTX - 2 * adapter.max_tokens - PROMPT_OVERHEAD_TOKENS
    return max(2000, int(tokens * CHARS_PER_TOKEN))


def sections(units: Sequence[Unit], budget: int) -> list[list[Unit]]:
    """Runs of consecutive sentences, each at most ``budget`` characters as shown."""
    out: list[list[Unit]] = [[]]
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
    select: bool | None = None,
    continue_repair: bool | None = None,
) -> Summary:
    """Summarize ``sources`` into at most ``bullets`` cited bullets, each verified.

    One call when the sentences fit ``context_chars`` (default: the endpoint's budget), else
    one per section plus a merge call. With ``select`` (default: ``SELECT_LOCAL`` for the
    bundled local model, whose summaries of a whole news article restate its lead) each call
    shows the model the central, mutually different sentences of a longer document
    (``SummaryRun.shown``). Then
    one repair call for every bullet whose figures are not all supported (with
    ``continue_repair``, default ``REPAIR_CONTINUES``, and one draft call, it continues that
    call's conversation, ``prompts/revise.md``: the source block is a prefix the server has
    cached); what still fails follows ``policy``. Citations always
    slice the documents' text exactly.
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
    if select is None:
        select = SELECT_LOCAL and adapter.endpoint.kind == "local"
    run = SummaryRun(
        ctx,
        adapter,
        n=bullets,
        length=length,
        focus=focus,
        policy=policy,
        embedder=embedder,
        select=select,
    )
    budget = context_chars or context_budget(adapter)
    parts = sections(ctx.units, budget)
    replies = [run.draft(part) for part in parts]
    if len(parts) == 1 and (REPAIR_CONTINUES if continue_repair is None else continue_repair):
        # one draft call: the repair continues its conversation (its ids are the document's)
        run.thread = run.threads[0]
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
        drafts = [Draft(text="", sids=[u.sid]) for u in run.central(bullets, set())]
    elif len(parts) > 1 and len(drafts) > bullets:
        drafts = run.merge(drafts)
    out = [d.statement(f"b{i}", ctx) for i, d in enumerate(drafts[:bullets], 1)]
    if run.stats.lead_fallback:
        out = [run.extractive(b) for b in out]
        run.stats.fell_back = len(out)
    settled = settle(run, out)
    final = readable_fallbacks(run, settled)
    return _finish(run, sources, final, adapter)


def readable_fallbacks(run: SummaryRun, bullets: list[Bullet]) -> list[Bullet]:
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


def _quoting(b: Bullet, cites: list[SentenceCitation]) -> Bullet:
    return b.model_copy(update={"citations": cites, "text": quoted_text(cites)})


def _finish(
    run: SummaryRun, sources: Sequence[Source], final: list[Bullet], adapter: ChatAdapter | None
) -> Summary:
    final = seal(run, final)
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
    run = SummaryRun(
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


__all__ = [  # the summarizer's face: loading sources, the two summaries, the model they return
    "LENGTH_WORDS",
    "MAX_BULLETS",
    "Length",
    "Source",
    "Summary",
    "source_from_file",
    "source_from_store",
    "sources_from_store",
    "summarize",
    "summarize_extractive",
]
