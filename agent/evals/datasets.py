"""The data folder (``VERISUM_DATA_DIR``, default ``../shared/data``): BUMP and SummEdits rows,
and the eval documents built from them. The verifier benchmark on their human labels is
``verifier``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..context import Source

from ..errors import InputError
from ..models.evals import DocSpec
from .cases import ROOT


def data_dir() -> Path:
    """The data folder: the setting ``VERISUM_DATA_DIR`` (default ``../shared/data``)."""
    from ..settings import get_settings

    return get_settings().data_dir


# ====================================================================== documents
class DataMissing(Exception):
    """The case needs the data folder (``VERISUM_DATA_DIR``), which is absent: it is skipped."""


_BUMP_CACHE: dict[str, Any] = {}


def bump_rows(data: Path | None = None) -> list[dict[str, Any]]:
    path = (data or data_dir()) / "bump" / "task1_dataset.json"
    key = str(path)
    if key not in _BUMP_CACHE:
        if not path.is_file():
            raise DataMissing(f"BUMP data not present ({path})")
        _BUMP_CACHE[key] = json.loads(path.read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = _BUMP_CACHE[key]
    return rows


def summedits_rows(data: Path | None = None, domain: str = "news") -> list[dict[str, Any]]:
    path = (data or data_dir()) / "summedits" / f"summedits_{domain}.json"
    if not path.is_file():
        raise DataMissing(f"SummEdits data not present ({path})")
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return rows


def load_source(spec: DocSpec, root: Path = ROOT, data: Path | None = None) -> Source:
    """The document of ``spec`` split into sentences, exactly as ``verisum summarize`` does."""
    from ..chunking import split_sentences
    from ..context import Source, source_from_file
    from ..documents import load_bytes

    if spec.path is not None:
        path = root / spec.path
        if not path.is_file():
            raise InputError(f"eval document not found: {spec.path}")
        return source_from_file(path)
    assert spec.bump is not None
    aid = spec.bump.article_id
    row = next((r for r in bump_rows(data) if r["article_id"] == aid), None)
    if row is None:
        raise InputError(f"BUMP article_id {aid} not in {(data or data_dir()) / 'bump'}")
    doc = load_bytes(row["article"].encode("utf-8"), f"bump:article/{aid}", ".txt")
    return Source(doc, split_sentences(doc.text))
