"""What a stage hands on: cited statements, the summary and the answer built of them.

A ``Statement`` is the common part of a summary bullet and an answer's short answer or key
point: its text, the exact spans it cites, and how it was checked. Statements are results:
frozen, a stage returns new ones (``model_copy``) instead of changing them. ``RunInfo`` is the
part a summary and an answer share: how the run went (policy, endpoint, notice, usage, stats).
The verifier's models (``ClaimCheck``, ``FigureVerdict``, ``Span``, ...) are defined in
``agent.verify.report`` and re-exported by ``agent.models``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from ..verify.report import ClaimCheck
from .calls import Usage
from .documents import SCHEMA_VERSION, Citation, Sentence

Status = Literal["answered", "conflicting", "not_in_documents"]
AbstainReason = Literal["low_retrieval", "model", "missing_term", "nothing_verified", "no_figure"]


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


class Statement(BaseModel):
    """One key point: a summary bullet, an answer or one of its key points. ``text`` is what
    is shown; ``citations`` slice the stored text exactly."""

    model_config = ConfigDict(frozen=True)

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


Bullet = Statement  # a summary's statements are its bullets


class SummaryStats(BaseModel):
    """Counters of one run, filled as it goes (the one mutable model: an accumulator)."""

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


class Versioned(BaseModel):
    """The first field of every output's JSON: the schema version."""

    model_config = ConfigDict(frozen=True)

    schema_version: str = SCHEMA_VERSION


class RunInfo(BaseModel):
    """How a summary or an answer was made: the fields both end with (before their own last
    ones), written once. An output lists it first among its bases, so that these fields follow
    its content in the JSON, as they always have."""

    model_config = ConfigDict(frozen=True)

    policy: Policy = "fallback"
    endpoint: str = ""
    notice: str | None = None
    usage: Usage = Field(default_factory=Usage)
    stats: SummaryStats = Field(default_factory=SummaryStats)


class SummaryContent(Versioned):
    """What a summary says: its documents and bullets."""

    documents: list[DocRef]
    bullets: list[Bullet]


class Summary(RunInfo, SummaryContent):
    """A summary: its content, then how it was made, then its warnings (the JSON's order)."""

    model_config = ConfigDict(frozen=True)

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


class RetrievedChunk(BaseModel):
    """A chunk retrieval returned, in MMR order; ``score`` is its cosine to the question."""

    doc_id: str
    chunk_index: int
    start: int
    end: int
    score: float
    title: str = ""
    source: str = ""
    text: str
    sentences: list[Sentence] = Field(default_factory=list, exclude=True)


class ConflictValue(BaseModel):
    """One document's figure in a conflict, with the sentence stating it."""

    text: str  # the figure as written, e.g. "11,000"
    value: float | None
    citation: SentenceCitation


class FigureConflict(BaseModel):
    """Sources disagree: different values for the same noun in similar wording. ``within``:
    one document states different values for what the question counts."""

    noun: str
    kind: str
    values: list[ConflictValue]
    within: bool = False


class AnswerContent(Versioned):
    """What an answer says: the answer, its key points, why it abstained, its evidence."""

    question: str
    status: Status
    text: str  # the answer line shown first (the model's, a fallback, or the abstention)
    answer: Statement | None = None  # the short answer as a checked, cited statement
    key_points: list[Statement] = Field(default_factory=list)
    abstain_reasons: list[AbstainReason] = Field(default_factory=list)
    model_answerable: bool | None = None  # what the model said (None: not asked)
    closest_evidence: list[SentenceCitation] = Field(default_factory=list)
    conflicts: list[FigureConflict] = Field(default_factory=list)
    documents: list[DocRef] = Field(default_factory=list)
    retrieved: list[RetrievedChunk] = Field(default_factory=list)


class Answer(RunInfo, AnswerContent):
    """An answer: its content, then how it was made (the JSON's order)."""

    model_config = ConfigDict(frozen=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verified(self) -> bool:
        """True when nothing unverified is left in the output."""
        return all(b.verified or b.origin == "extractive" for b in self.statements())

    def statements(self) -> list[Statement]:
        """The answer statement (if any) and the key points."""
        return ([self.answer] if self.answer else []) + list(self.key_points)
