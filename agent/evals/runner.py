"""Running cases: the tasks (``summarize``, ``ask``) through the code users run, one case
replayed or re-recorded, every suite recorded, and a whole run."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..context import Source
    from ..llm import ChatAdapter, Endpoint

from ..errors import InputError, VerisumError
from ..models.evals import (
    CaseMetrics,
    DocSpec,
    EvalCase,
    EvalReport,
    Manifest,
    Recorded,
    RecordedBy,
    SuiteFile,
)
from .cases import (
    EVALS,
    MANIFEST_FILE,
    ROOT,
    CaseRun,
    TaskOutput,
    TaskRunner,
    load_manifest,
    save_manifest,
)
from .datasets import DataMissing, load_source
from .metrics import aggregate, case_metrics, invariant_problems
from .recording import (
    RECORD_PORT,
    cassette_path,
    json_body,
    make_adapter,
    record_endpoint,
    recording,
    replay_endpoint,
)
from .verifier import run_verifier_suite


def _run_summarize(case: EvalCase, sources: list[Source], adapter: ChatAdapter) -> TaskOutput:
    from ..summarize import summarize

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

    from ..answer import answer, context_sources
    from ..context import source_from_store
    from ..embeddings import get_embedder
    from ..ingest import ingest
    from ..settings import get_settings
    from ..store import open_store

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


def run_case(
    suite: str,
    case: EvalCase,
    *,
    record: bool = False,
    endpoint: Endpoint | None = None,
    manifest: Manifest | None = None,
    folder: Path = EVALS,
    data: Path | None = None,
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
        from ..summarize import summarize_extractive

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
    data: Path | None = None,
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
