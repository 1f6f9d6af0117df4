"""The eval suite: cases as data, recorded model replies, metrics and reports.

Cases live in ``evals/<suite>.yaml`` (schema: ``evals/case.schema.json``). Each case runs through
the same code path users run (``summarize``; ``ask`` when ``agent/answer.py`` provides it) with
the model's HTTP calls replayed from ``evals/cassettes/<suite>/<case>.yaml`` (vcrpy, matched on
the normalized JSON body). ``evals/manifest.json`` says which model and endpoint produced each
recording and when. A suite of ``kind: verifier-benchmark`` scores the verifier on the human
labels in ``../shared/data`` instead (no model calls). Reports and the command: ``eval_report``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import InputError, VerisumError
from .figures import Figure, extract_figures

if TYPE_CHECKING:
    from .context import Source
    from .llm import ChatAdapter, Endpoint
    from .models import Answer, Bullet, Summary

ROOT = Path(__file__).resolve().parent.parent
EVALS = ROOT / "evals"
DATA = ROOT.parent / "shared" / "data"
RECORD_PORT = 18739  # fixed loopback port of the bundled model while recording
SCHEMA_FILE = "case.schema.json"
MANIFEST_FILE = "manifest.json"
EVAL_SCHEMA_VERSION = "1"

Task = Literal["summarize", "ask"]
Outcome = Literal["answer", "abstain", "conflict"]


class StaleRecordingError(VerisumError):
    """A case sent a request its recording does not hold (prompt, schema or code changed)."""

    exit_code = 2


class MissingRecordingError(VerisumError):
    exit_code = 2


# ====================================================================== case files
class KeyFigure(BaseModel):
    """A figure a good output contains, with (part of) the source sentence that states it."""

    model_config = ConfigDict(extra="forbid")

    figure: str = Field(description="the figure as written, e.g. '11,000' or 'May 29, 1943'")
    sentence: str | None = Field(
        default=None,
        description="verbatim text of the source sentence stating it (None: any sentence of "
        "the document holding the same value)",
    )


class ForbiddenFigure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    figure: str = Field(description="a figure that must not appear unmarked in the output")
    why: str = ""


class BumpRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    article_id: int = Field(description="BUMP task-1 article_id (../shared/data/bump)")


class DocSpec(BaseModel):
    """One document: a repository file (``path``) or a BUMP article (read, never copied)."""

    model_config = ConfigDict(extra="forbid")

    path: str | None = Field(default=None, description="file path relative to the repository")
    bump: BumpRef | None = None

    @model_validator(mode="after")
    def _one(self) -> DocSpec:
        if (self.path is None) == (self.bump is None):
            raise ValueError("a document is either path: or bump:, exactly one")
        return self

    def label(self) -> str:
        return self.path or f"bump:{self.bump.article_id if self.bump else '?'}"


class EvalCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    task: Task = "summarize"
    documents: list[DocSpec] = Field(min_length=1)
    question: str | None = Field(default=None, description="the question (task: ask)")
    k: int = Field(default=5, ge=1, le=50, description="chunks to retrieve (task: ask)")
    expect: Outcome | None = Field(
        default=None,
        description="task: ask: the outcome a good run has (answered; 'the documents do not "
        "say'; sources reported as disagreeing)",
    )
    bullets: int = Field(default=5, ge=1, le=20)
    length: Literal["short", "medium", "long"] = "medium"
    focus: str | None = None
    policy: Literal["fallback", "flag", "drop"] = "fallback"
    must_contain: list[KeyFigure] = Field(default_factory=list)
    must_not_contain: list[ForbiddenFigure] = Field(default_factory=list)
    notes: str = ""

    @model_validator(mode="after")
    def _question(self) -> EvalCase:
        if self.task == "ask" and not self.question:
            raise ValueError("task: ask needs a question")
        if self.task != "ask" and self.expect is not None:
            raise ValueError("expect: is for task: ask")
        return self


class SuiteFile(BaseModel):
    """One file of ``evals/``: a suite of cases, or the verifier benchmark on human labels."""

    model_config = ConfigDict(extra="forbid")

    suite: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    description: str = ""
    kind: Literal["cases", "verifier-benchmark"] = "cases"
    datasets: list[Literal["bump", "summedits"]] = Field(default_factory=list)
    cases: list[EvalCase] = Field(default_factory=list)


def schema_json() -> str:
    """The JSON schema of a case file (what ``evals/case.schema.json`` holds)."""
    schema = SuiteFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "verisum eval suite"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def load_suites(
    folder: Path = EVALS, names: Sequence[str] = (), cases: Sequence[str] = ()
) -> list[SuiteFile]:
    """Every ``*.yaml`` of ``folder`` (or the named suites), cases filtered by id."""
    import yaml

    files = sorted(p for p in folder.glob("*.yaml") if p.is_file())
    out: list[SuiteFile] = []
    for p in files:
        try:
            raw = yaml.safe_load(p.read_text(encoding="utf-8"))
            suite = SuiteFile.model_validate(raw)
        except Exception as exc:
            raise InputError(f"{p}: not a valid eval suite: {exc}") from None
        if suite.suite != p.stem:
            raise InputError(f"{p}: suite name {suite.suite!r} must match the file name")
        if names and suite.suite not in names:
            continue
        if cases:
            suite.cases = [c for c in suite.cases if c.id in cases]
            if not suite.cases and suite.kind == "cases":
                continue
        out.append(suite)
    if names:
        missing = sorted(set(names) - {s.suite for s in out})
        if missing:
            known = ", ".join(p.stem for p in files)
            raise InputError(f"unknown suite(s) {', '.join(missing)}; known: {known}")
    return out


# ====================================================================== documents
class DataMissing(Exception):
    """The case needs ../shared/data, which is absent: the case is skipped."""


_BUMP_CACHE: dict[str, Any] = {}


def bump_rows(data: Path = DATA) -> list[dict[str, Any]]:
    path = data / "bump" / "task1_dataset.json"
    key = str(path)
    if key not in _BUMP_CACHE:
        if not path.is_file():
            raise DataMissing(f"BUMP data not present ({path})")
        _BUMP_CACHE[key] = json.loads(path.read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = _BUMP_CACHE[key]
    return rows


def summedits_rows(data: Path = DATA) -> list[dict[str, Any]]:
    path = data / "summedits" / "summedits_news.json"
    if not path.is_file():
        raise DataMissing(f"SummEdits data not present ({path})")
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return rows


def load_source(spec: DocSpec, root: Path = ROOT, data: Path = DATA) -> Source:
    """The document of ``spec`` split into sentences, exactly as ``verisum summarize`` does."""
    from .chunking import split_sentences
    from .context import Source, source_from_file
    from .documents import load_bytes

    if spec.path is not None:
        path = root / spec.path
        if not path.is_file():
            raise InputError(f"eval document not found: {spec.path}")
        return source_from_file(path)
    assert spec.bump is not None
    aid = spec.bump.article_id
    row = next((r for r in bump_rows(data) if r["article_id"] == aid), None)
    if row is None:
        raise InputError(f"BUMP article_id {aid} not in {data / 'bump'}")
    doc = load_bytes(row["article"].encode("utf-8"), f"bump:article/{aid}", ".txt")
    return Source(doc, split_sentences(doc.text))


# ====================================================================== recordings
def json_body(request: Any) -> Any:
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body


def body_matcher(r1: Any, r2: Any) -> None:
    """Match requests on their normalized JSON body, so a changed prompt never replays."""
    assert json_body(r1) == json_body(r2), "request body differs from the recording"


STRIP_RESPONSE = {
    "openai-organization",
    "openai-project",
    "openai-processing-ms",
    "openai-version",
    "set-cookie",
    "x-request-id",
    "cf-ray",
    "date",
    "server",
    "cf-cache-status",
    "alt-svc",
}


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Keep only content headers: recordings carry no identifiers, keys or cookies."""
    headers = response.get("headers", {})
    for name in list(headers):
        low = name.lower()
        if low in STRIP_RESPONSE or low.startswith(("x-ratelimit", "openai-", "x-")):
            del headers[name]
    return response


def _scrub_request(request: Any) -> Any:
    request.headers = {}
    return request


def cassette_path(suite: str, case: str, folder: Path = EVALS) -> Path:
    return folder / "cassettes" / suite / f"{case}.yaml"


@dataclass
class _Tape:
    path: Path
    record: bool
    seen: list[Any] = field(default_factory=list)
    recorded: list[Any] = field(default_factory=list)

    def stale_bodies(self) -> list[Any]:
        """Requests sent that the recording does not hold."""
        have = [json_body(r) for r in self.recorded]
        return [json_body(r) for r in self.seen if json_body(r) not in have]


@contextmanager
def recording(path: Path, *, record: bool) -> Iterator[_Tape]:
    """Replay (``record=False``: a request not in the cassette fails) or re-record ``path``."""
    import vcr
    from vcr.record_mode import RecordMode

    tape = _Tape(path, record)
    if not record and not path.is_file():
        raise MissingRecordingError(f"no recording {path.relative_to(ROOT)}")
    if record and path.exists():
        path.unlink()

    def seen(request: Any) -> Any:
        tape.seen.append(request)
        return _scrub_request(request)

    v = vcr.VCR(
        record_mode=RecordMode.ALL if record else RecordMode.NONE,
        match_on=["method", "scheme", "host", "port", "path", "query", "json_body"],
        decode_compressed_response=True,
        before_record_request=seen,
        before_record_response=scrub_response,
        filter_headers=["authorization", "api-key", "openai-api-key", "cookie", "user-agent"],
    )
    v.register_matcher("json_body", body_matcher)
    path.parent.mkdir(parents=True, exist_ok=True)
    with v.use_cassette(str(path), allow_playback_repeats=True) as cas:
        tape.recorded = list(cas.requests)
        yield tape
    if record and not path.exists():  # no call made (an ask decided before the model)
        path.write_text("interactions: []\nversion: 1\n", encoding="utf-8")


# ====================================================================== manifest
class Recorded(BaseModel):
    """Who produced one case's recording, and what it cost then."""

    model: str
    endpoint: str  # kind
    base_url: str | None
    recorded_at: datetime
    calls: int = 0
    wall_s: float = 0.0
    llm_ms: float = 0.0


class Manifest(BaseModel):
    schema_version: str = EVAL_SCHEMA_VERSION
    note: str = (
        "Which model and endpoint produced each recording (evals/cassettes/<suite>/<case>.yaml). "
        "Re-record: verisum eval --record [--suite S] [--case ID]."
    )
    suites: dict[str, dict[str, Recorded]] = Field(default_factory=dict)


def load_manifest(folder: Path = EVALS) -> Manifest:
    path = folder / MANIFEST_FILE
    if not path.is_file():
        return Manifest()
    return Manifest.model_validate_json(path.read_text(encoding="utf-8"))


def save_manifest(m: Manifest, folder: Path = EVALS) -> None:
    m.suites = {s: dict(sorted(c.items())) for s, c in sorted(m.suites.items())}
    (folder / MANIFEST_FILE).write_text(m.model_dump_json(indent=2) + "\n", encoding="utf-8")


def replay_endpoint(rec: Recorded) -> Endpoint:
    """The endpoint a recording was made against (replay matches on its host and port)."""
    from .llm import Endpoint

    kind = rec.endpoint if rec.endpoint in ("openai", "compatible", "local") else "compatible"
    return Endpoint(kind=kind, base_url=rec.base_url, model=rec.model)


# ====================================================================== tasks
@dataclass
class TaskOutput:
    """What a task produced, in the shape the metrics read."""

    summary: Summary | None = None
    answer: Answer | None = None  # the ``ask`` result
    sources: list[Source] | None = None  # the documents as the task stored them (ask)
    context: list[Source] = field(default_factory=list)  # what the model was shown (ask)


TaskRunner = Callable[[EvalCase, list["Source"], "ChatAdapter"], TaskOutput]


def _run_summarize(case: EvalCase, sources: list[Source], adapter: ChatAdapter) -> TaskOutput:
    from .summarize import summarize

    s = summarize(
        sources,
        adapter,
        bullets=case.bullets,
        length=case.length,
        focus=case.focus,
        policy=case.policy,
    )
    return TaskOutput(summary=s)


def _run_ask(case: EvalCase, sources: list[Source], adapter: ChatAdapter) -> TaskOutput:
    """``verisum ask`` on the case's documents: ingest them into a throwaway embedded store
    (temporary home and collection; the local embedding model, deterministic and offline,
    from the process-wide model cache) and call ``agent.answer.answer`` as the CLI does."""
    import tempfile

    from .answer import answer, context_sources
    from .context import source_from_store
    from .embeddings import get_embedder
    from .ingest import ingest
    from .settings import get_settings
    from .store import open_store

    assert case.question is not None
    base = get_settings()
    embedder = get_embedder(base.model_copy(update={"embedding": "local"}))
    with tempfile.TemporaryDirectory(prefix="verisum-eval-", ignore_cleanup_errors=True) as tmp:
        home = Path(tmp)
        settings = base.model_copy(
            update={
                "home": home,
                "chroma_url": None,
                "collection": "verisum-eval",
                "embedding": "local",
            }
        )
        paths = []
        for i, src in enumerate(sources):
            if src.doc.source.startswith("bump:"):  # not a file: ingest its text from one
                f = home / "docs" / f"{i}-{src.doc.source.replace(':', '-').replace('/', '-')}.txt"
                f.parent.mkdir(parents=True, exist_ok=True)
                f.write_text(src.doc.text, encoding="utf-8")
                paths.append(str(f))
            else:
                paths.append(src.doc.source)
        store = open_store(settings, embedder)
        report = ingest(paths, store=store)
        if not report.ok:
            bad = "; ".join(f"{r.source}: {r.error}" for r in report.results if r.error)
            raise InputError(f"ingesting the case's documents failed: {bad}")
        ans = answer(store, case.question, adapter, k=case.k, policy=case.policy)
        stored = [source_from_store(store, r.doc_id) for r in report.results if r.doc_id]
        context = context_sources(store, ans.retrieved)
    return TaskOutput(answer=ans, sources=stored, context=context)


TASKS: dict[str, TaskRunner] = {"summarize": _run_summarize, "ask": _run_ask}


# ====================================================================== running a case
@dataclass
class CaseRun:
    """One case run: its output (or why there is none), its calls and replay wall time."""

    suite: str
    case: EvalCase
    status: Literal["ok", "skipped", "error", "stale"] = "ok"
    error: str | None = None
    output: TaskOutput | None = None
    sources: list[Source] = field(default_factory=list)
    calls: list[Any] = field(default_factory=list)  # LLMCall
    wall_s: float = 0.0
    recorded: Recorded | None = None


def _doc_root(spec: DocSpec, folder: Path) -> Path:
    """Case paths are relative to the folder above ``evals/`` (else the repository)."""
    if spec.path is not None and (folder.parent / spec.path).is_file():
        return folder.parent
    return ROOT


def default_folder() -> Path:
    """``./evals`` when the working directory has one, else the repository's."""
    here = Path.cwd() / "evals"
    return here if (here / MANIFEST_FILE).is_file() else EVALS


def rerecord_hint(suite: str, case: str) -> str:
    return f"verisum eval --record --suite {suite} --case {case}"


def make_adapter(endpoint: Endpoint, *, record: bool) -> ChatAdapter:
    """The adapter a case runs with: pinned re-asks and no retries, so a replay sends the
    exact requests the recording holds; no call log, no notices."""
    from .llm import ChatAdapter

    return ChatAdapter(
        endpoint,
        max_retries=0,
        max_reasks=2,
        timeout=600.0 if record else 30.0,
        notify=None,
        log_calls=False,
    )


def run_case(
    suite: str,
    case: EvalCase,
    *,
    record: bool = False,
    endpoint: Endpoint | None = None,
    manifest: Manifest | None = None,
    folder: Path = EVALS,
    data: Path = DATA,
    extractive: bool = False,
) -> CaseRun:
    """Run ``case`` through its task with the model's replies replayed (or recorded).
    ``extractive``: a summarize case as ``summarize --extractive`` (no model, no recording);
    other tasks are skipped."""
    run = CaseRun(suite, case)
    try:
        run.sources = [load_source(d, root=_doc_root(d, folder), data=data) for d in case.documents]
    except DataMissing as exc:
        run.status, run.error = "skipped", str(exc)
        return run
    if extractive:
        from .summarize import summarize_extractive

        if case.task != "summarize":
            run.status, run.error = "skipped", "--extractive: not a summarize case"
            return run
        t0 = time.perf_counter()
        run.output = TaskOutput(summary=summarize_extractive(run.sources, bullets=case.bullets))
        run.wall_s = time.perf_counter() - t0
        return run
    path = cassette_path(suite, case.id, folder)
    if record:
        if endpoint is None:
            raise InputError("recording needs an endpoint")
    else:
        rec = (manifest or load_manifest(folder)).suites.get(suite, {}).get(case.id)
        if rec is None or not path.is_file():
            run.status = "stale"
            run.error = (
                f"no recording for {suite}/{case.id}; record it with: "
                f"{rerecord_hint(suite, case.id)}"
            )
            return run
        run.recorded = rec
        endpoint = replay_endpoint(rec)
    adapter = make_adapter(endpoint, record=record)
    runner = TASKS[case.task]
    t0 = time.perf_counter()
    with recording(path, record=record) as tape:
        try:
            run.output = runner(case, run.sources, adapter)
        except Exception as exc:
            from vcr.errors import CannotOverwriteExistingCassetteException

            stale = [] if record else tape.stale_bodies()
            if stale:
                run.status = "stale"
                run.error = _stale_message(suite, case.id, path, stale, tape.recorded)
            elif isinstance(exc, VerisumError | CannotOverwriteExistingCassetteException):
                run.status, run.error = "error", " ".join(str(exc).split())[:500]
            else:
                raise
        finally:
            run.wall_s = time.perf_counter() - t0
            run.calls = list(adapter.calls)
    if record:
        run.recorded = Recorded(
            model=endpoint.model,
            endpoint=endpoint.kind,
            base_url=endpoint.base_url,
            recorded_at=datetime.now(UTC).replace(microsecond=0),
            calls=len(run.calls),
            wall_s=round(run.wall_s, 2),
            llm_ms=round(sum(c.latency_ms for c in run.calls), 1),
        )
    return run


def _stale_message(suite: str, case: str, path: Path, stale: list[Any], have: list[Any]) -> str:
    """Why a replay failed: which part of the request changed, and how to re-record."""
    what = ""
    new = stale[0]
    old = [json_body(r) for r in have]
    if isinstance(new, dict) and old and isinstance(old[0], dict):
        same_msgs = [o for o in old if o.get("messages") == new.get("messages")]
        if same_msgs:
            keys = sorted(k for k in new if any(o.get(k) != new.get(k) for o in same_msgs))
            what = f" (same messages, different {', '.join(keys) or 'fields'})"
        else:
            what = " (the prompt messages differ: a prompt, the schema or the code changed)"
    try:
        rel = path.relative_to(ROOT)
    except ValueError:
        rel = path
    return (
        f"stale recording {rel}: the request is not in it{what}; re-record with: "
        f"{rerecord_hint(suite, case)}"
    )


@contextmanager
def record_endpoint(port: int = RECORD_PORT) -> Iterator[Endpoint]:
    """The configured endpoint for recording; the bundled model is started on ``port``."""
    from .llm import resolve_endpoint
    from .localmodel import LocalServer

    ep = resolve_endpoint()
    if ep.kind != "local" or ep.base_url:
        yield ep
        return
    with LocalServer(port=port) as server:
        yield ep.model_copy(update={"base_url": server.base_url, "notice": None})


# ====================================================================== human-label benchmark
# Which rows count and whether a flag "points at the changed figure": shared with
# benchmarks/verify_sets.py (the verifier benchmark's row selection), which imports these.
TOKEN_RE = re.compile(r"\w+(?:[.,'’-]\w+)*|[^\w\s]")
_DIGIT = re.compile(r"\d")
NUMBER_WORDS = frozenset(
    [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
        "million",
        "billion",
        "trillion",
        "dozen",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
    ]
)


def numeric_token(t: str) -> bool:
    return bool(_DIGIT.search(t)) or any(p in NUMBER_WORDS for p in t.lower().split("-"))


def token_opcodes(a: list[str], b: list[str]) -> Sequence[tuple[str, int, int, int, int]]:
    import difflib

    return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def diff_has_digit(before: str, after: str, *, words: bool = False) -> bool:
    """The edit changes a figure: a token diff (whitespace tokens, or word tokens with
    ``words``) whose changed tokens on either side hold a digit."""
    split = TOKEN_RE.findall if words else str.split
    a, b = split(before), split(after)
    return any(
        _DIGIT.search(t)
        for op, i1, i2, j1, j2 in token_opcodes(a, b)
        if op != "equal"
        for t in a[i1:i2] + b[j1:j2]
    )


def changed_spans(before: str, after: str) -> list[tuple[int, int]]:
    """Spans of ``after`` the edit inserted or replaced holding a figure (else all inserted
    tokens, else the neighbours of a deleted figure)."""
    a = TOKEN_RE.findall(before)
    bm = list(TOKEN_RE.finditer(after))
    b = [m.group() for m in bm]
    numeric: list[tuple[int, int]] = []
    other: list[tuple[int, int]] = []
    for op, i1, i2, j1, j2 in token_opcodes(a, b):
        if op == "equal":
            continue
        if j2 > j1:
            for j in range(j1, j2):
                (numeric if numeric_token(b[j]) else other).append((bm[j].start(), bm[j].end()))
        elif any(numeric_token(t) for t in a[i1:i2]):
            other.extend((bm[j].start(), bm[j].end()) for j in (j1 - 1, j1) if 0 <= j < len(bm))
    return numeric or other


def flagged_spans(article: str, summary: str) -> list[tuple[int, int]]:
    """Spans (in ``summary``) of the figures the verifier does not support."""
    from .verify import claims_from_text, verify_claims

    claims = claims_from_text(summary)
    rep = verify_claims(article, claims)
    out: list[tuple[int, int]] = []
    pos = 0
    for c, chk in zip(claims, rep.checks, strict=True):
        off = summary.find(c.text, pos)
        off = max(off, 0)
        pos = off + len(c.text)
        out += [
            (off + v.figure.start, off + v.figure.end)
            for v in chk.verdicts
            if v.verdict != "supported"
        ]
    return out


def _overlaps(spans: list[tuple[int, int]], changed: list[tuple[int, int]]) -> bool:
    return any(s < ce and cs < e for s, e in spans for cs, ce in changed)


def benchmark_bump(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """BUMP task 1: numeric edits flagged at the changed figure; faithful references flagged."""
    pairs = [r for r in rows if diff_has_digit(r["reference_summary"], r["edited_summary"])]
    hit = hit_int = n_int = 0
    misses: list[str] = []
    for r in pairs:
        ch = changed_spans(r["reference_summary"], r["edited_summary"])
        ok = _overlaps(flagged_spans(r["article"], r["edited_summary"]), ch)
        intrinsic = "Intrinsic" in r["error_type"]
        hit += ok
        n_int += intrinsic
        hit_int += ok and intrinsic
        if not ok:
            misses.append(f"bump#{r['id']}: {r['edited_summary'].strip()[:160]}")
    refs: dict[str, str] = {}
    for r in rows:
        if _DIGIT.search(r["reference_summary"]):
            refs.setdefault(r["reference_summary"], r["article"])
    alarms = [s.strip()[:160] for s, a in refs.items() if flagged_spans(a, s)]
    return {
        "pairs": len(pairs),
        "recall": _share(hit, len(pairs)),
        "intrinsic": n_int,
        "recall_intrinsic": _share(hit_int, n_int),
        "references": len(refs),
        "false_alarms": len(alarms),
        "misses_detail": misses,
        "false_alarms_detail": alarms,
    }


def benchmark_summedits(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """SummEdits news: label-0 numeric edits flagged; label-1 summaries with digits flagged."""
    neg = [
        r
        for r in rows
        if r["label"] == 0 and diff_has_digit(r["original_summary"], r["summary"], words=True)
    ]
    hit = 0
    misses: list[str] = []
    for r in neg:
        ch = changed_spans(r["original_summary"], r["summary"])
        if _overlaps(flagged_spans(r["doc"], r["summary"]), ch):
            hit += 1
        else:
            misses.append(f"{r['id']}: {r['summary'].strip()[:160]}")
    pos = [r for r in rows if r["label"] == 1 and _DIGIT.search(r["summary"])]
    alarms = [
        f"{r['id']}: {r['summary'].strip()[:160]}"
        for r in pos
        if flagged_spans(r["doc"], r["summary"])
    ]
    return {
        "pairs": len(neg),
        "recall": _share(hit, len(neg)),
        "references": len(pos),
        "false_alarms": len(alarms),
        "false_alarm_rate": _share(len(alarms), len(pos)),
        "misses_detail": misses,
        "false_alarms_detail": alarms,
    }


def _share(k: int | float, n: int | float) -> float | None:
    return round(k / n, 4) if n else None


# ====================================================================== figure matching
def _vals(f: Figure) -> tuple[float | None, ...]:
    return (f.value, f.low, f.high)


def same_value(a: Figure, b: Figure) -> bool:
    """Whether two figures state the same value: dates by their stated fields, numbers by
    value and bounds (scale applied: "11K" == "11,000"); units and context are ignored."""
    if a.kind == "date" or b.kind == "date":
        if a.kind != b.kind:
            return False
        fields = [(a.year, b.year), (a.month, b.month), (a.day, b.day)]
        return all(x == y for x, y in fields if x is not None and y is not None) and (
            a.month == b.month
        )
    va = [v for v in _vals(a) if v is not None]
    vb = [v for v in _vals(b) if v is not None]
    if not va or not vb:
        return False

    def within(xs: list[float], ys: list[float]) -> bool:
        return all(any(abs(x - y) <= 1e-9 * max(1.0, abs(x)) for y in ys) for x in xs)

    # both ways: "second" (2) does not state the score "2-0", nor "$300" the range "$300 to $350"
    return within(va, vb) and within(vb, va)


def key_figure(text: str) -> Figure | None:
    figs = extract_figures(text)
    return max(figs, key=lambda f: f.end - f.start) if figs else None


# ====================================================================== recording
def record_suites(
    suites: Sequence[SuiteFile],
    *,
    folder: Path = EVALS,
    port: int = RECORD_PORT,
    progress: Callable[[str], None] | None = None,
    done: Callable[[CaseRun], None] | None = None,
) -> list[CaseRun]:
    """Re-record every case of ``suites`` against the configured endpoint; update the manifest
    after each case (an interrupted run keeps what it recorded). ``progress`` is called before
    each case, ``done`` after it."""
    runs: list[CaseRun] = []
    with record_endpoint(port) as ep:
        for suite in suites:
            if suite.kind != "cases":
                continue
            for case in suite.cases:
                if progress:
                    progress(f"recording {suite.suite}/{case.id}")
                run = run_case(suite.suite, case, record=True, endpoint=ep, folder=folder)
                runs.append(run)
                if run.recorded is not None and run.status in ("ok", "error"):
                    m = load_manifest(folder)
                    m.suites.setdefault(suite.suite, {})[case.id] = run.recorded
                    save_manifest(m, folder)
                if done:
                    done(run)
    return runs


# ====================================================================== metrics
class Mutant(BaseModel):
    kind: Literal["digits", "scale", "unit", "period", "date", "swap"]
    case: str = ""
    original: str  # the figure as written
    mutated: str  # what replaced it
    claim: str  # the mutated claim text
    caught: bool = False
    verdict: str = ""


class CaseMetrics(BaseModel):
    """Per-case numbers (shares are None when there is nothing to count)."""

    suite: str
    case: str
    task: str
    status: Literal["ok", "skipped", "error", "stale"]
    error: str | None = None
    # model quality before verification
    bullets: int = 0
    generated_figures: int = 0
    generated_supported: int = 0
    cited_ids: int = 0
    cited_ids_valid: int = 0
    reply_bullets: int = 0
    reply_bullets_valid: int = 0
    invalid_replies: int = 0
    key_figures: int = 0
    key_generated: int = 0  # key figures the model wrote (before verification)
    key_output: int = 0  # key figures in the final output
    key_cited: int = 0  # ... in a bullet citing their source sentence
    unverified_before_repair: int = 0
    repaired: int = 0
    fell_back: int = 0
    lead_fallback: bool = False
    flagged: int = 0
    dropped: int = 0
    # after verification
    output_figures: int = 0  # figures in unmarked model/repaired bullets
    output_supported: int = 0
    extractive_figures: int = 0
    extractive_supported: int = 0  # the verifier on the source's own words (false-alarm check)
    forbidden_in_output: list[str] = Field(default_factory=list)
    citations_exact: bool = True  # every citation slices the document text to its text
    # cost
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    wall_s: float = 0.0  # this run (replayed: no model time)
    recorded_wall_s: float = 0.0  # the recording run, model time included
    recorded_llm_ms: float = 0.0
    # verifier mutation score on this case's outputs
    mutants: int = 0
    mutants_caught: int = 0
    verbatim_figures: int = 0
    verbatim_false_alarms: int = 0
    mutant_detail: list[Mutant] = Field(default_factory=list)
    false_alarm_detail: list[str] = Field(default_factory=list)
    key_missing: list[str] = Field(default_factory=list)
    # task: ask
    outcome: Outcome | None = None
    expect: Outcome | None = None
    expect_met: bool | None = None
    conflicts: int = 0
    abstain_reasons: list[str] = Field(default_factory=list)


def _units(sources: Sequence[Source]) -> dict[int, str]:
    """Sentence id (as shown to the model, 1-based across documents) -> sentence text."""
    out: dict[int, str] = {}
    for src in sources:
        for s in src.sentences:
            out[len(out) + 1] = src.doc.text[s.start : s.end]
    return out


def _reply_citations(calls: Sequence[Any], sources: Sequence[Source]) -> tuple[int, int, int, int]:
    """Over every parsed draft/repair reply: (ids cited, ids known, bullets, bullets whose ids
    are all known and whose quote, if any, is verbatim in the cited sentences)."""
    from .citations import quote_in

    units = _units(sources)
    ids = ok_ids = nb = ok_b = 0
    for c in calls:
        if c.prompt not in ("summarize", "repair", "answer", "ask") or not c.response:
            continue
        try:
            data = json.loads(c.response)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        items = data.get("bullets")
        if c.prompt == "answer":  # the ask reply: the answer (when answerable) and key points
            items = list(data.get("key_points") or [])
            if data.get("answerable") and str(data.get("answer") or "").strip():
                items.insert(0, {"sentence_ids": data.get("sentence_ids")})
        if not isinstance(items, list):
            continue
        for b in items:
            if not isinstance(b, dict):
                continue
            sids = [i for i in b.get("sentence_ids") or [] if isinstance(i, int)]
            known = [i for i in sids if i in units]
            ids += len(sids)
            ok_ids += len(known)
            nb += 1
            quote = b.get("quote")
            quote_ok = not quote or quote_in(str(quote), [units[i] for i in known])
            ok_b += bool(sids) and len(known) == len(sids) and quote_ok
    return ids, ok_ids, nb, ok_b


def _verify_bullet_text(text: str, bullet: Any, docs: dict[str, Any], spans: dict[str, Any]) -> Any:
    from .verify import Claim, verify_claims

    doc = docs[bullet.citations[0].doc_id]
    claim = Claim(id=bullet.id, text=text, citations=[(c.start, c.end) for c in bullet.citations])
    return verify_claims(doc.text, [claim], spans[doc.id]).checks[0]


def _contains(text: str, key: Figure) -> bool:
    return any(same_value(f, key) for f in extract_figures(text))


def case_metrics(run: CaseRun, *, mutate: bool = True) -> CaseMetrics:
    """Every per-case number, from the task output and the calls made."""
    m = CaseMetrics(
        suite=run.suite, case=run.case.id, task=run.case.task, status=run.status, error=run.error
    )
    m.wall_s = round(run.wall_s, 3)
    if run.recorded is not None:
        m.recorded_wall_s, m.recorded_llm_ms = run.recorded.wall_s, run.recorded.llm_ms
    for c in run.calls:
        m.llm_calls += 1
        m.prompt_tokens += c.usage.prompt_tokens
        m.completion_tokens += c.usage.completion_tokens
    out = run.output
    ans = out.answer if out else None
    sources = out.sources if out and out.sources is not None else run.sources
    shown = out.context if out and ans is not None else sources  # the numbering the model saw
    m.cited_ids, m.cited_ids_valid, m.reply_bullets, m.reply_bullets_valid = _reply_citations(
        run.calls, shown
    )
    summary = out.summary if out else None
    if summary is not None:
        bullets, st = list(summary.bullets), summary.stats
    elif ans is not None:
        bullets, st = ans.statements(), ans.stats
        _ask_outcome(m, run.case, ans)
    else:
        return m
    docs = {s.doc.id: s.doc for s in sources}
    spans = {s.doc.id: [(x.start, x.end) for x in s.sentences] for s in sources}
    if ans is not None:
        extra = list(ans.closest_evidence) + [v.citation for c in ans.conflicts for v in c.values]
        if any(docs[c.doc_id].text[c.start : c.end] != c.text for c in extra):
            m.citations_exact = False
    m.bullets = len(bullets)
    m.invalid_replies = st.invalid_replies
    m.unverified_before_repair = st.unverified_before_repair
    m.repaired, m.fell_back, m.flagged = st.repaired, st.fell_back, st.flagged
    m.dropped, m.lead_fallback = st.dropped, st.lead_fallback
    generated: list[str] = []
    for b in bullets:
        for c in b.citations:
            if docs[c.doc_id].text[c.start : c.end] != c.text:
                m.citations_exact = False
        model_text = b.text if b.origin == "model" else (b.model_text or "")
        if model_text:
            generated.append(model_text)
            chk = (
                b.check
                if b.origin == "model" and b.check is not None
                else _verify_bullet_text(model_text, b, docs, spans)
            )
            m.generated_figures += len(chk.verdicts)
            m.generated_supported += sum(v.verdict == "supported" for v in chk.verdicts)
        if b.check is None:
            continue
        if b.origin == "extractive":
            m.extractive_figures += len(b.check.verdicts)
            m.extractive_supported += sum(v.verdict == "supported" for v in b.check.verdicts)
            fa = [v for v in b.check.verdicts if v.verdict != "supported"]
            m.false_alarm_detail += [
                f"{b.id} (extractive) {v.figure.text!r}: {v.verdict} {v.reason}" for v in fa
            ]
        elif not b.flagged:
            m.output_figures += len(b.check.verdicts)
            m.output_supported += sum(v.verdict == "supported" for v in b.check.verdicts)
    # key figures and forbidden figures
    all_text = [s.doc.text for s in sources]
    # an ask's conflict reports a figure with its citation: output, cited
    conflict_values = [v for c in ans.conflicts for v in c.values] if ans is not None else []
    for kf in run.case.must_contain:
        key = key_figure(kf.figure)
        if key is None:
            continue
        m.key_figures += 1
        if any(_contains(t, key) for t in generated):
            m.key_generated += 1
        holders = [b for b in bullets if _contains(b.text, key)]
        stated = [v for v in conflict_values if _contains(v.text, key)]
        if holders or stated:
            m.key_output += 1
        else:
            m.key_missing.append(kf.figure)
        if any(_cites_key(b, kf, key, all_text) for b in holders) or any(
            _cites_key(_Cited([v.citation]), kf, key, all_text) for v in stated
        ):
            m.key_cited += 1
    for ff in run.case.must_not_contain:
        bad = key_figure(ff.figure)
        if bad is None:
            continue
        if any(not b.flagged and _contains(b.text, bad) for b in bullets):
            m.forbidden_in_output.append(ff.figure)
    if mutate:
        mutation_score(m, bullets, sources)
    return m


@dataclass
class _Cited:
    citations: list[Any]


_OUTCOME: dict[str, Outcome] = {
    "answered": "answer",
    "not_in_documents": "abstain",
    "conflicting": "conflict",
}


def _ask_outcome(m: CaseMetrics, case: EvalCase, ans: Answer) -> None:
    """What an ask did (answered, abstained, reported a conflict) against what the case expects."""
    m.outcome = _OUTCOME[ans.status]
    m.expect = case.expect
    m.conflicts = len(ans.conflicts)
    m.abstain_reasons = list(ans.abstain_reasons)
    if case.expect is not None:
        m.expect_met = m.outcome == case.expect


def _cites_key(b: Any, kf: KeyFigure, key: Figure, texts: list[str]) -> bool:
    """The bullet cites the key figure's source sentence (given, or any stating its value)."""
    for c in b.citations:
        if kf.sentence is not None:
            if " ".join(kf.sentence.split()) in " ".join(c.text.split()):
                return True
        elif _contains(c.text, key):
            return True
    return False


# ====================================================================== mutation score
MAX_MUTATED_FIGURES = 12  # per case, so the suite stays fast
_SCALE_SWAP = [
    (r"\btrillion\b", "billion"),
    (r"\bbillion\b", "million"),
    (r"\bmillion\b", "billion"),
    (r"\bthousand\b", "million"),
    (r"(?<=\d)bn\b", "m"),
    (r"(?<=\d)m\b", "bn"),
    (r"(?<=\d)[kK]\b", "m"),
]
_UNIT_SWAP = [
    (r"\$", "£"),
    (r"£", "$"),
    (r"€", "$"),
    (r"\bdollars\b", "euros"),
    (r"\bpounds\b", "dollars"),
    (r"\bper cent\b", "percentage points"),
    (r"%", " percentage points"),
    (r"\bpercentage points?\b", "per cent"),
    (r"\bmiles\b", "kilometres"),
    (r"\bkm\b", "miles"),
    (r"\bkilometres\b", "miles"),
    (r"(?<=\d)kg\b", "lb"),
    (r"\bkg\b", "lb"),
    (r"\bmonths\b", "years"),
    (r"\bmonth\b", "year"),
    (r"\byears\b", "months"),
    (r"\byear\b", "month"),
    (r"\bweeks\b", "months"),
    (r"\bweek\b", "month"),
    (r"\bdays\b", "weeks"),
    (r"\bday\b", "week"),
    (r"\bhours\b", "days"),
    (r"\bhour\b", "day"),
    (r"\bminutes\b", "hours"),
    (r"\bfeet\b", "metres"),
    (r"\bmetres\b", "feet"),
]
_PERIOD_SWAP = [
    (r"\b(a|an|per|each|every) month\b", r"\1 year"),
    (r"\b(a|an|per|each|every) year\b", r"\1 month"),
    (r"\b(a|an|per|each|every) week\b", r"\1 month"),
    (r"\b(a|an|per|each|every) day\b", r"\1 week"),
    (r"\b(a|an|per|each|every) hour\b", r"\1 day"),
    (r"\bmonthly\b", "yearly"),
    (r"\b(annually|yearly)\b", "monthly"),
    (r"\bweekly\b", "monthly"),
    (r"\bdaily\b", "weekly"),
]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _first_sub(text: str, table: list[tuple[str, str]]) -> str | None:
    for pat, rep in table:
        new, n = re.subn(pat, rep, text, count=1)
        if n and new != text:
            return new
    return None


def _digit_change(t: str) -> str | None:
    m = re.search(r"\d", t)
    if not m:
        return None
    d = int(m.group())
    new = str((d + 1) % 10 if d != 9 else 8)
    if new == "0" and (m.start() == 0 or not t[m.start() - 1].isdigit()):
        new = "2"
    return t[: m.start()] + new + t[m.end() :]


def _date_change(f: Figure) -> str | None:
    t = f.text
    if f.kind == "year" or (f.kind == "date" and f.day is None and f.month is None and f.year):
        m = re.search(r"\d{4}", t)
        return t[: m.start()] + str(int(m.group()) + 1) + t[m.end() :] if m else None
    if f.kind != "date":
        return None
    if f.day is not None:
        m = re.search(rf"(?<!\d){f.day}(?!\d)", t)
        if m:
            day = f.day + 1 if f.day < 28 else f.day - 1
            return t[: m.start()] + str(day) + t[m.end() :]
    if f.month is not None:
        for i, name in enumerate(_MONTHS):
            m = re.search(rf"\b{name[:3]}[a-z]*\.?", t)
            if m and i + 1 == f.month:
                return t[: m.start()] + _MONTHS[(i + 1) % 12] + t[m.end() :]
    return None


def figure_mutants(f: Figure, others: Sequence[Figure]) -> list[tuple[str, str]]:
    """(kind, replacement text) for each applicable change of figure ``f``; ``others`` are the
    document's figures (for the swap: the first of the same kind with another value)."""
    out: list[tuple[str, str]] = []
    if f.kind not in ("date", "year"):
        d = _digit_change(f.text)
        if d:
            out.append(("digits", d))
    s = _first_sub(f.text, _SCALE_SWAP)
    if s:
        out.append(("scale", s))
    if f.per:
        p = _first_sub(f.text, _PERIOD_SWAP)
        if p:
            out.append(("period", p))
    if f.kind not in ("date", "year"):
        u = _first_sub(f.text, _UNIT_SWAP)
        if u and (not out or u != out[-1][1]):
            out.append(("unit", u))
    dt = _date_change(f)
    if dt:
        out.append(("date", dt))
    swap = next(
        (
            o
            for o in others
            if o.kind == f.kind and o.text != f.text and not same_value(o, f) and o.text.strip()
        ),
        None,
    )
    if swap is not None:
        out.append(("swap", swap.text))
    return out


def _changed(a: Figure, b: Figure) -> bool:
    keys = ("value", "low", "high", "unit", "currency", "per", "year", "month", "day", "scale")
    return any(getattr(a, k) != getattr(b, k) for k in keys)


def mutate_claim(
    text: str, citations: list[tuple[int, int]], doc_text: str, spans: list[tuple[int, int]]
) -> tuple[list[Mutant], list[str], int]:
    """Mutants of every figure of a claim the verifier fully supports: (mutants with their
    verdicts, false alarms on the untouched claim, figures checked untouched)."""
    from .verify import Claim, verify_claims

    base = verify_claims(doc_text, [Claim(id="c", text=text, citations=citations)], spans)
    chk = base.checks[0]
    alarms = [
        f"{v.figure.text!r}: {v.verdict} {v.reason}"
        for v in chk.verdicts
        if v.verdict != "supported"
    ]
    if alarms:
        return [], alarms, len(chk.verdicts)
    cited_text = " ".join(doc_text[s:e] for s, e in citations)
    others = [*extract_figures(cited_text), *extract_figures(doc_text)]
    out: list[Mutant] = []
    for v in chk.verdicts[:MAX_MUTATED_FIGURES]:
        f = v.figure
        for kind, new in figure_mutants(f, others):
            claim = text[: f.start] + new + text[f.end :]
            got = [
                g
                for g in extract_figures(claim)
                if g.start < f.start + len(new) and f.start < g.end
            ]
            if not got or not all(_changed(g, f) for g in got):
                continue  # the change did not make a different figure: not a mutant
            rep = verify_claims(doc_text, [Claim(id="m", text=claim, citations=citations)], spans)
            hit = [
                x
                for x in rep.checks[0].verdicts
                if x.figure.start < f.start + len(new) and f.start < x.figure.end
            ]
            verdict = ",".join(x.verdict for x in hit) or "no figure"
            out.append(
                Mutant(
                    kind=kind,
                    original=f.text,
                    mutated=new,
                    claim=claim,
                    caught=not rep.checks[0].verified,
                    verdict=verdict,
                )
            )
    return out, [], len(chk.verdicts)


def mutation_score(m: CaseMetrics, bullets: Sequence[Bullet], sources: Sequence[Source]) -> None:
    """Mutate the figures of the case's verified output (model bullets that verify, and every
    cited source sentence, which is verbatim) and count what the verifier catches."""
    docs = {s.doc.id: s for s in sources}
    seen: set[tuple[str, str]] = set()
    budget = MAX_MUTATED_FIGURES
    for b in bullets:
        claims: list[tuple[str, list[tuple[int, int]], bool]] = []
        if b.origin != "extractive" and b.verified and not b.flagged:
            claims.append((b.text, [(c.start, c.end) for c in b.citations], False))
        claims += [(c.text, [(c.start, c.end)], True) for c in b.citations]
        doc = docs[b.citations[0].doc_id]
        spans = [(s.start, s.end) for s in doc.sentences]
        for text, cits, verbatim in claims:
            if (doc.doc.id, text) in seen or budget <= 0 or not extract_figures(text):
                continue
            seen.add((doc.doc.id, text))
            mutants, alarms, n = mutate_claim(text, cits, doc.doc.text, spans)
            if verbatim:
                m.verbatim_figures += n
                m.verbatim_false_alarms += len(alarms)
                m.false_alarm_detail += [f"source sentence {a}" for a in alarms]
            budget -= n
            for mu in mutants:
                mu.case = m.case
            m.mutants += len(mutants)
            m.mutants_caught += sum(mu.caught for mu in mutants)
            m.mutant_detail += mutants


# ====================================================================== a whole run
class RecordedBy(BaseModel):
    model: str
    endpoint: str
    base_url: str | None
    cases: int
    first: datetime
    last: datetime


class EvalReport(BaseModel):
    """What ``verisum eval --json`` prints and ``--baseline`` reads."""

    schema_version: str = EVAL_SCHEMA_VERSION
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    mode: Literal["replay", "record"] = "replay"
    recorded_by: list[RecordedBy] = Field(default_factory=list)
    overall: dict[str, float | int | None] = Field(default_factory=dict)
    suites: dict[str, dict[str, float | int | None]] = Field(default_factory=dict)
    verifier: dict[str, dict[str, Any]] = Field(default_factory=dict)
    cases: list[CaseMetrics] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)  # broken invariants, stale recordings
    regressions: list[str] = Field(default_factory=list)
    wall_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.regressions


MUTANT_KINDS = ("digits", "scale", "unit", "period", "date", "swap")


def aggregate(cases: Sequence[CaseMetrics]) -> dict[str, float | int | None]:
    """Overall numbers: sums, and shares over the summed counts (micro averages)."""
    done = [c for c in cases if c.status in ("ok", "error")]

    def s(attr: str) -> int:
        return int(sum(getattr(c, attr) for c in done))

    out: dict[str, float | int | None] = {
        "cases": len(cases),
        "cases_ok": sum(c.status == "ok" for c in cases),
        "cases_skipped": sum(c.status == "skipped" for c in cases),
        "cases_failed": sum(c.status in ("error", "stale") for c in cases),
        "bullets": s("bullets"),
        "generated_figures": s("generated_figures"),
        "generated_supported_share": _share(s("generated_supported"), s("generated_figures")),
        "citation_validity": _share(s("reply_bullets_valid"), s("reply_bullets")),
        "cited_id_validity": _share(s("cited_ids_valid"), s("cited_ids")),
        "invalid_replies": s("invalid_replies"),
        "key_figures": s("key_figures"),
        "key_recall_generated": _share(s("key_generated"), s("key_figures")),
        "key_recall_output": _share(s("key_output"), s("key_figures")),
        "key_cited_share": _share(s("key_cited"), s("key_figures")),
        "unverified_before_repair": s("unverified_before_repair"),
        "repaired": s("repaired"),
        "fell_back": s("fell_back"),
        "lead_fallbacks": sum(c.lead_fallback for c in done),
        "flagged": s("flagged"),
        "output_figures": s("output_figures"),
        "output_supported_share": _share(s("output_supported"), s("output_figures")),
        "extractive_supported_share": _share(s("extractive_supported"), s("extractive_figures")),
        "forbidden_in_output": sum(len(c.forbidden_in_output) for c in done),
        "llm_calls": s("llm_calls"),
        "prompt_tokens": s("prompt_tokens"),
        "completion_tokens": s("completion_tokens"),
        "calls_per_case": _share(s("llm_calls"), len(done)),
        "tokens_per_case": _share(s("prompt_tokens") + s("completion_tokens"), len(done)),
        "replay_wall_s": round(sum(c.wall_s for c in done), 2),
        "recorded_wall_s_per_case": _share(sum(c.recorded_wall_s for c in done), len(done)),
        "mutants": s("mutants"),
        "mutation_caught_share": _share(s("mutants_caught"), s("mutants")),
        "verbatim_figures": s("verbatim_figures"),
        "verbatim_false_alarms": s("verbatim_false_alarms"),
    }
    asks = [c for c in done if c.outcome is not None]
    if asks:  # task: ask: abstention and conflicts against what the cases expect
        judged = [c for c in asks if c.expect is not None]
        should = [c for c in judged if c.expect == "abstain"]
        conflict = [c for c in judged if c.expect == "conflict"]
        out |= {
            "ask_cases": len(asks),
            "expect_met_share": _share(sum(bool(c.expect_met) for c in judged), len(judged)),
            "abstention_correct_share": _share(
                sum((c.outcome == "abstain") == (c.expect == "abstain") for c in judged),
                len(judged),
            ),
            "abstained": sum(c.outcome == "abstain" for c in asks),
            "missed_abstentions": sum(c.outcome != "abstain" for c in should),
            "false_abstentions": sum(
                c.outcome == "abstain" for c in judged if c.expect != "abstain"
            ),
            "conflicts_reported_share": _share(
                sum(c.outcome == "conflict" for c in conflict), len(conflict)
            ),
        }
    for kind in MUTANT_KINDS:
        ms = [mu for c in done for mu in c.mutant_detail if mu.kind == kind]
        out[f"mutants_{kind}"] = len(ms)
        out[f"caught_{kind}"] = _share(sum(mu.caught for mu in ms), len(ms))
    return out


def run_verifier_suite(suite: SuiteFile, data: Path = DATA) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in suite.datasets:
        t0 = time.perf_counter()
        try:
            if name == "bump":
                res = benchmark_bump(bump_rows(data))
            else:
                res = benchmark_summedits(summedits_rows(data))
        except DataMissing as exc:
            out[name] = {"status": "skipped", "reason": str(exc)}
            continue
        res["status"] = "ok"
        res["wall_s"] = round(time.perf_counter() - t0, 2)
        out[name] = res
    return out


def recorded_by(manifest: Manifest, runs: Sequence[CaseRun]) -> list[RecordedBy]:
    groups: dict[tuple[str, str, str | None], list[Recorded]] = {}
    for r in runs:
        if r.recorded is not None:
            rec = r.recorded
            groups.setdefault((rec.model, rec.endpoint, rec.base_url), []).append(rec)
    return [
        RecordedBy(
            model=k[0],
            endpoint=k[1],
            base_url=k[2],
            cases=len(v),
            first=min(x.recorded_at for x in v),
            last=max(x.recorded_at for x in v),
        )
        for k, v in groups.items()
    ]


def run_eval(
    suites: Sequence[SuiteFile],
    *,
    folder: Path = EVALS,
    data: Path = DATA,
    mutate: bool = True,
    progress: Callable[[str], None] | None = None,
    extractive: bool = False,
) -> tuple[EvalReport, list[CaseRun]]:
    """Replay every case of ``suites`` and score it; run verifier-benchmark suites."""
    t0 = time.perf_counter()
    manifest = load_manifest(folder)
    report = EvalReport()
    runs: list[CaseRun] = []
    for suite in suites:
        if suite.kind == "verifier-benchmark":
            if progress:
                progress(f"{suite.suite}: verifier on human labels")
            report.verifier = run_verifier_suite(suite, data)
            continue
        metrics: list[CaseMetrics] = []
        for case in suite.cases:
            if progress:
                progress(f"{suite.suite}/{case.id}")
            run = run_case(
                suite.suite,
                case,
                manifest=manifest,
                folder=folder,
                data=data,
                extractive=extractive,
            )
            runs.append(run)
            metrics.append(case_metrics(run, mutate=mutate))
        report.cases += metrics
        report.suites[suite.suite] = aggregate(metrics)
    report.overall = aggregate(report.cases)
    report.recorded_by = recorded_by(manifest, runs)
    report.problems = invariant_problems(report)
    report.wall_s = round(time.perf_counter() - t0, 2)
    return report, runs


def invariant_problems(report: EvalReport) -> list[str]:
    """What must hold whatever the model: stale/missing recordings, unsupported figures in
    unmarked output, citations that do not slice the text, forbidden figures let through."""
    out: list[str] = []
    for c in report.cases:
        name = f"{c.suite}/{c.case}"
        if c.status == "stale":
            out.append(f"{name}: {c.error}")
        elif c.status == "error":
            out.append(f"{name}: failed: {c.error}")
        if c.output_supported < c.output_figures:
            out.append(
                f"{name}: {c.output_figures - c.output_supported} unsupported figure(s) in "
                "unmarked output"
            )
        if not c.citations_exact:
            out.append(f"{name}: a citation does not slice the document to its text")
        if c.forbidden_in_output:
            out.append(f"{name}: forbidden figure(s) in unmarked output: {c.forbidden_in_output}")
    return out
