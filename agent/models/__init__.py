"""Every model that crosses a stage, in one place.

- ``documents``: Document, Sentence, Chunk, Citation, DocInfo, SearchHit (ingestion, store);
- ``calls``: LLMCall, Usage (the model adapter and its log);
- ``outputs``: Statement (a bullet, an answer, a key point), Summary, Answer and their parts;
- ``evals``: the eval harness's case files (SuiteFile, EvalCase), what a case scores
  (CaseMetrics) and a run's report (EvalReport);
- the verifier's results (Claim, ClaimCheck, FigureVerdict, VerificationReport, Span), defined
  in ``agent.verify.report`` and re-exported here, and the parser's ``Figure``.

Offsets are always character offsets (Python ``str`` indices) into ``Document.text``, the
canonical text, so ``doc.text[start:end]`` is the exact span.
"""

from __future__ import annotations

from ..figures import Figure
from ..verify.report import Claim, ClaimCheck, FigureVerdict, Span, VerificationReport
from .calls import EndpointKind, LLMCall, Usage
from .documents import (
    SCHEMA_VERSION,
    Chunk,
    Citation,
    DocInfo,
    Document,
    Model,
    SearchHit,
    Sentence,
)
from .outputs import (
    AbstainReason,
    Answer,
    Bullet,
    ConflictValue,
    DocRef,
    FigureConflict,
    Origin,
    Policy,
    RetrievedChunk,
    SentenceCitation,
    Statement,
    Status,
    Summary,
    SummaryStats,
)

__all__ = [
    "SCHEMA_VERSION",
    "AbstainReason",
    "Answer",
    "Bullet",
    "CaseMetrics",
    "Chunk",
    "Citation",
    "Claim",
    "ClaimCheck",
    "ConflictValue",
    "DocInfo",
    "DocRef",
    "Document",
    "EndpointKind",
    "EvalCase",
    "EvalReport",
    "Figure",
    "FigureConflict",
    "FigureVerdict",
    "LLMCall",
    "Model",
    "Origin",
    "Policy",
    "RetrievedChunk",
    "SearchHit",
    "Sentence",
    "SentenceCitation",
    "Span",
    "Statement",
    "Status",
    "SuiteFile",
    "Summary",
    "SummaryStats",
    "Usage",
    "VerificationReport",
]
