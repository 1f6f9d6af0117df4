"""The statement pipeline, shared by ``summarize`` and ``ask``: from drafts (text, cited ids)
to settled statements.

1. ``Run.clean``: a draft's ids and quote checked against the numbered context, salvaged and
   re-anchored (``agent.citations``) into a ``Draft``; ``Draft.statement`` cites exact spans.
2. ``settle``: every model statement verified against its cited spans (``agent.verify``), one
   repair call for all that fail (``prompts/repair.md``), and the unverified policy (fallback to
   the cited sentences, flag, or drop) for what still fails.
3. ``seal``: quoted statements checked too (their figures are coloured), verified by
   construction.

``Run`` holds one call's state: the context, the adapter, the policy, the counters and usage.
It never calls back into its caller; the callers (``agent.summarize``, ``agent.answer``) ask for
their drafts with ``Run.ask`` and hand them on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from .citations import (
    DraftBullet,
    citation_checker,
    citation_problems,
    clean_draft,
    strip_tags,
)
from .context import Context, Unit
from .errors import InvalidOutputError
from .models import Policy, SentenceCitation, Statement, SummaryStats, Usage
from .text import content_words
from .verify import MIN_GROUNDING, grounding

if TYPE_CHECKING:
    from .llm import ChatAdapter

Length = Literal["short", "medium", "long"]
LENGTH_WORDS: dict[str, int] = {"short": 15, "medium": 25, "long": 40}  # words a statement
MAX_EVIDENCE = 30  # sentences shown in one repair call
REPLY_BASE_TOKENS = 40  # the JSON object around the bullets
BULLET_TOKENS = 80  # per bullet besides its text: ids, an optional quote, JSON keys
TOKENS_PER_WORD = 2.4  # English ~1.3-1.6 tokens a word, with room for a bullet over its length
T = TypeVar("T", bound=BaseModel)


class Draft(BaseModel):
    """A statement before it is checked: its text, cited sentence ids (of the context), the
    verbatim quote if one survived, and notes on citations re-anchored."""

    model_config = ConfigDict(frozen=True)

    text: str
    sids: list[int]
    quote: str | None = None
    reanchored: list[str] = Field(default_factory=list)

    def statement(self, id: str, ctx: Context) -> Statement:
        return Statement(
            id=id,
            text=self.text,
            citations=ctx.citations(self.sids),
            quote=self.quote,
            reanchored=self.reanchored,
        )


# ---------------------------------------------------------------- the repair reply
class RepairedBullet(DraftBullet):
    id: int


class RepairList(BaseModel):
    bullets: list[RepairedBullet] = Field(min_length=1)


def _capped(base: type[T], item: Any, n: int) -> type[T]:
    """``base`` with at most ``n`` bullets (the schema the endpoint constrains to)."""
    return create_model(
        base.__name__,
        __base__=base,
        bullets=(list[item], Field(min_length=1, max_length=n)),
    )


# ---------------------------------------------------------------- one call's state
class Run:
    """State of one ``summarize`` or ``answer`` call (``adapter`` is ``None`` for
    ``--extractive``): the context, the policy, the counters and the tokens used."""

    def __init__(
        self,
        ctx: Context,
        adapter: ChatAdapter | None,
        *,
        words: int,
        policy: Policy,
    ):
        self.ctx = ctx
        self._adapter = adapter
        self.words = words
        self.policy = policy
        self.stats = SummaryStats()
        self.usage = Usage()
        self.warnings: set[str] = set()
        # statement text (tags stripped) -> the text as the model wrote it, for the repair
        # prompt: it shows the model its own bullet (and keeps recorded requests as they were)
        self.as_written: dict[str, str] = {}
        # the conversation of the one draft call (its messages and the reply), when there was
        # one: the repair call continues it, so the server's prompt cache holds its prefix
        self.thread: list[dict[str, str]] | None = None

    @property
    def adapter(self) -> ChatAdapter:
        if self._adapter is None:
            raise InvalidOutputError("no model in an extractive summary")
        return self._adapter

    def ask(
        self,
        name: str,
        schema: type[T],
        check: Callable[[Any], None],
        max_tokens: int | None = None,
        messages: list[dict[str, str]] | None = None,
        **vars: Any,
    ) -> T | None:
        """One ``complete`` of prompt ``name`` (or of ready ``messages``, logged as ``name``);
        on invalid output after the re-asks, the last reply that parses (its problems are
        salvaged by the caller), or ``None``."""
        from .llm import parse_reply
        from .prompts import load_prompt

        first = len(self.adapter.calls)
        try:
            if messages is not None:
                obj, usage = self.adapter.complete(
                    messages, schema, name=name, check=check, max_tokens=max_tokens
                )
            else:
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

    def last_thread(self, since: int) -> list[dict[str, str]] | None:
        """The conversation of the last call made since call ``since`` that has a reply:
        its messages, then the reply as the assistant's (``None`` if there is none)."""
        for c in reversed(self.adapter.calls[since:]):
            if c.response is not None:
                return [*c.messages, {"role": "assistant", "content": c.response}]
        return None

    def clean(self, b: DraftBullet, shown: dict[int, Unit]) -> Draft | None:
        """A reply's statement salvaged (``clean_draft``, re-anchored), counted in the stats;
        ``None`` (dropped) when no valid citation is left. The text loses any "[S1]" tags the
        model copied from the context (``strip_tags``) before it is checked or shown."""
        written = b.text
        b = b.model_copy(update={"text": strip_tags(written)})
        if b.text != written.strip():
            self.as_written[b.text] = written
        notes: list[str] = []
        ids, quote, dropped = clean_draft(b, shown, self.ctx.multi, notes)
        self.stats.invalid_citations += dropped
        self.stats.reanchored += len(notes)
        if not ids or not b.text:
            self.stats.dropped += 1
            return None
        return Draft(text=b.text, sids=ids, quote=quote, reanchored=notes)

    def verify(self, statements: Sequence[Statement]) -> list[Statement]:
        """The statements checked against their cited spans (in their documents), in order:
        new statements with ``check``, ``grounding``, ``problems`` and ``verified`` filled."""
        import time

        from .verify import Claim, verify_claims

        t0 = time.perf_counter()
        by_doc: dict[str, list[int]] = {}
        for i, b in enumerate(statements):
            by_doc.setdefault(b.citations[0].doc_id, []).append(i)
        out = list(statements)
        for doc_id, group in by_doc.items():
            doc = self.ctx.docs[doc_id]
            claims = [
                Claim(id=b.id, text=b.text, citations=[(c.start, c.end) for c in b.citations])
                for b in (statements[i] for i in group)
            ]
            report = verify_claims(
                doc.text,
                claims,
                self.ctx.spans[doc_id],
                source_id=doc.id,
                source_title=doc.title,
            )
            self.warnings.update(f"{doc.title or doc.id}: {w}" for w in report.warnings)
            for i, chk in zip(group, report.checks, strict=True):
                b = statements[i]
                share = round(grounding(b.text, [c.text for c in b.citations]), 2)
                problems = (
                    [f"only {share:.0%} of its words appear in the cited sentences"]
                    if share < MIN_GROUNDING
                    else []
                )
                out[i] = b.model_copy(
                    update={
                        "check": chk,
                        "grounding": share,
                        "problems": problems,
                        "verified": chk.verified and not problems,
                    }
                )
        self.stats.verify_ms += (time.perf_counter() - t0) * 1000
        return out

    # ------------------------------------------------------------ repair
    def repair(self, failing: list[Statement]) -> dict[str, Statement]:
        """One call for all failing bullets; returns the repaired bullets that now verify."""
        bullets, failures, evidence_sids = [], [], set()
        for n, b in enumerate(failing, 1):
            cited = self._sids(b)
            evidence_sids |= cited
            refs = ", ".join(f"S{i}" for i in sorted(cited))
            text = self.as_written.get(b.text, b.text)
            bullets.append(f"[B{n}] {' '.join(text.split())} (cites {refs})")
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

        values = {
            "bullet": "\n".join(bullets),
            "failures": "\n".join(failures),
            "evidence": self.ctx.numbered(shown),
        }
        thread = None
        if self.thread is not None:  # continue the draft's conversation: a cached prefix
            from .prompts import load_prompt

            thread = [
                *self.thread,
                {"role": "user", "content": load_prompt("revise").followup(**values)},
            ]
        reply = self.ask(
            "repair",
            _capped(RepairList, RepairedBullet, len(failing)),
            citation_checker(problems_of),
            max_tokens=reply_tokens(len(failing), self.words),
            messages=thread,
            **({} if thread is not None else values),
        )
        if reply is None:
            return {}
        fixed: list[Statement] = []
        for r in reply.bullets:
            if r.id not in ids:
                continue
            orig = failing[r.id - 1]
            r = r.model_copy(update={"text": strip_tags(r.text)})
            notes: list[str] = []
            sids, quote, dropped = clean_draft(r, shown, self.ctx.multi, notes)
            self.stats.invalid_citations += dropped
            self.stats.reanchored += len(notes)
            if not sids or not r.text or any(f.id == orig.id for f in fixed):
                continue
            fixed.append(
                Statement(
                    id=orig.id,
                    text=r.text,
                    citations=self.ctx.citations(sids),
                    origin="repaired",
                    model_text=orig.text,
                    quote=quote,
                    reanchored=notes,
                )
            )
        return {b.id: b for b in (self.verify(fixed) if fixed else []) if b.verified}

    def _sids(self, b: Statement) -> set[int]:
        return self._sids_of_spans(b.citations[0].doc_id, [(c.start, c.end) for c in b.citations])

    def _sids_of_spans(self, doc_id: str, spans: Sequence[tuple[int, int]]) -> set[int]:
        return {
            u.sid
            for u in self.ctx.units
            if u.doc.id == doc_id
            and any(u.sentence.start < e and s < u.sentence.end for s, e in spans)
        }

    # ------------------------------------------------------------ policy
    def apply_policy(self, b: Statement) -> Statement | None:
        """A bullet still unverified after repair, under the policy: dropped (``None``),
        flagged, or replaced by its cited sentences (fallback)."""
        if self.policy == "drop":
            self.stats.dropped += 1
            return None
        if self.policy == "flag":
            self.stats.flagged += 1
            return b.model_copy(update={"flagged": True})
        self.stats.fell_back += 1
        return self.extractive(b)

    def extractive(self, b: Statement) -> Statement:
        text = quoted_text(b.citations)
        return Statement(
            id=b.id,
            text=text,
            citations=b.citations,
            origin="extractive",
            verified=True,  # the source's own words: verified by construction
            model_text=b.text or None,
        )


# ---------------------------------------------------------------- the pipeline
def settle(run: Run, statements: Sequence[Statement], min_repair_words: int = 0) -> list[Statement]:
    """Verify the model's statements, repair those that fail in one call, and apply the
    unverified policy to what still fails (quoted statements pass through). A repair is taken
    when it verifies and has ``min_repair_words`` content words ("B1" is no repair)."""
    run.stats.bullets_from_model = sum(b.origin == "model" for b in statements)
    checked = iter(run.verify([b for b in statements if b.origin == "model"]))
    statements = [next(checked) if b.origin == "model" else b for b in statements]
    failing = [b for b in statements if not b.verified]
    run.stats.unverified_before_repair = len(failing)
    fixed = run.repair(failing) if failing else {}
    out: list[Statement] = []
    for b in statements:
        if b.id in fixed and len(_words(fixed[b.id].text)) >= min_repair_words:
            b = fixed[b.id]
            run.stats.repaired += 1
        elif not b.verified:
            kept = run.apply_policy(b)
            if kept is None:
                continue
            b = kept
        out.append(b)
    return out


def seal(run: Run, statements: Sequence[Statement]) -> list[Statement]:
    """Quoted statements checked like the others (the renderers colour their figures), and
    verified by construction: they are the source's own words."""
    quoted = [b for b in statements if b.origin == "extractive"]
    if not quoted:
        return list(statements)
    checked = iter(run.verify(quoted))
    return [
        next(checked).model_copy(update={"verified": True}) if b.origin == "extractive" else b
        for b in statements
    ]


def _words(text: str) -> set[str]:
    return {w for w, _, _ in content_words(text)}


def reply_tokens(n: int, words: int) -> int:
    """Output-token cap for a reply of ``n`` bullets of about ``words`` words: enough for a
    complete reply, short enough that a looping small model stops early."""
    return REPLY_BASE_TOKENS + n * (int(words * TOKENS_PER_WORD) + BULLET_TOKENS)


_LIST_MARK = re.compile(r"^[•·▪◦*–-]\s+")


def quoted_text(cites: Sequence[SentenceCitation]) -> str:
    """The cited sentences as one bullet's text (whitespace joined, list marks dropped; the
    citations keep the exact spans)."""
    return " ".join(_LIST_MARK.sub("", " ".join(c.text.split())) for c in cites)
