"""Extractive picks and ``summarize --extractive``: no model at all, the real local embedder."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from agent import extractive as ex
from agent.summarize import source_from_file, summarize_extractive
from tests.fakes import FakeHashEmbedder


def test_headings_bylines_fragments_and_title_repeats_are_not_readable() -> None:
    title = "The DIU has already recorded 11,000 North Korean troops in Kurshchyna"
    assert not ex.readable("Ukraine")
    assert not ex.readable("Volodymyr Zelenskyi")
    assert not ex.readable("North Korean soldiers in the Kursk region: what is known")  # heading
    assert not ex.readable("By Jane Smith, Defence Correspondent, in London today.")
    assert not ex.readable("Published: 4 November 2024, updated at noon today.")
    assert not ex.readable(title + ".", title)
    assert ex.readable("Their number in the region is increasing every week now.")
    assert ex.readable(
        'Ukrainian defenders keep under control the "sanitary zone" near the border.'
    )
    assert ex.dangling("He also reminded that soon it will be 3 months.")
    assert not ex.dangling("Helsinki said it would reply.")


def test_pick_skips_excluded_duplicates_and_keeps_document_order() -> None:
    texts = [
        "Headline",
        "The council approved a budget of four billion dollars today.",
        "The council approved a budget of four billion dollars today.",
        "Schools will get more money than roads under the new plan.",
        "But the mayor said the plan would be reviewed next year.",
        "Police officers will be hired across the city this spring.",
    ]
    emb = FakeHashEmbedder()
    got = ex.pick(texts, 3, emb)
    assert got == sorted(got) and 0 not in got and not {1, 2} <= set(got)
    assert 4 not in got  # dangling, and enough self-contained sentences
    assert 1 not in ex.pick(texts, 3, emb, exclude=[1])
    assert ex.pick(texts, 0, emb) == [] and ex.pick(["Short."], 2, emb) == []


def test_seed_extractive_summary_is_readable_central_and_fast(seed_path: Path) -> None:
    src = source_from_file(seed_path)
    summarize_extractive([src], bullets=1)  # loads the embedding model once
    t0 = time.perf_counter()
    s = summarize_extractive([src], bullets=5)
    took = time.perf_counter() - t0
    assert took < 1.0, took
    assert s.stats.extractive_only and s.usage.calls == 0 and s.verified
    assert len(s.bullets) == 5 and all(b.origin == "extractive" for b in s.bullets)
    for b in s.bullets:
        (c,) = b.citations
        assert src.doc.text[c.start : c.end] == c.text and ex.readable(c.text, src.doc.title)
        assert b.check is not None  # verified like any other summary (figures coloured)
    text = " ".join(b.text for b in s.bullets)
    assert "11,000" in text and "$2,000 a month" in text
    assert not any(b.text.startswith("•") for b in s.bullets)
    starts = [b.citations[0].start for b in s.bullets]
    assert starts == sorted(starts) and len(set(starts)) == 5


def test_cli_extractive_needs_no_model(cli: Any, seed_path: Path) -> None:
    r = cli("summarize", str(seed_path), "--extractive", "-f", "json")
    assert r.code == 0, r
    data = json.loads(r.out)
    assert data["usage"]["calls"] == 0 and data["endpoint"] == "extractive (no model)"
    assert data["verified"] is True and len(data["bullets"]) == 5
    r = cli("summarize", str(seed_path), "--extractive", "-n", "2")
    assert r.code == 0 and "quoted from source" in r.out and "0 calls" in r.out


def test_select_shows_a_short_document_whole_and_a_long_one_without_repeats() -> None:
    """``select`` (what a small model is shown): every sentence of a short document; of a long
    one, k readable, mutually different sentences in document order, and the most central
    of them (the first MMR picks) as anchors."""
    short = ["Headline", "The council approved a budget of four billion dollars today."]
    emb = FakeHashEmbedder()
    assert ex.select(short, 3, emb, anchors=2) == ([0, 1], [])
    texts = [
        "City budget",  # a heading: never selected from a long document
        "The council approved a budget of four billion dollars today.",
        "The council approved a budget of four billion dollars on Monday.",
        "The council approved the budget of four billion dollars today.",
        "Schools will get three hundred million dollars more than last year.",
        "Road repairs will get less money under the new plan next spring.",
        "But the mayor said the whole plan would be reviewed next year.",
        "Police officers will be hired across the city this coming spring.",
        "The opposition party voted against the plan in the final session.",
    ]
    got, anchors = ex.select(texts, 5, emb, anchors=2)
    assert len(got) == 5 and got == sorted(got) and 0 not in got
    assert len({1, 2, 3} & set(got)) == 1, got  # one of the three near-identical lines
    assert len(anchors) == 2 and set(anchors) <= set(got) and anchors == sorted(anchors)
    vecs = emb.embed([texts[i] for i in ex.candidates(texts)])
    first_two = [ex.candidates(texts)[j] for j in ex.mmr_central(vecs, 2)]
    assert anchors == sorted(first_two)  # the two most central, unlike each other
    assert ex.select(texts, 20, emb) == (list(range(len(texts))), [])
