"""Sentence spans and chunks: exact offsets, coverage, overlap, on made-up and real text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.chunking import MAX_SENTENCE_CHARS, chunk_document, split_sentences
from agent.documents import canonicalize, doc_id_for, load_bytes, load_path
from agent.errors import ConfigError
from agent.models import Chunk, Document, Sentence

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

texty = st.text(
    alphabet=st.sampled_from(list("ab cd.!?;:,\n\n\t\"')(-1 2$%é€ \u00a0\u3000。Mr.Dr.U.S.")),
    max_size=400,
) | st.text(max_size=200)


def doc_of(text: str) -> Document:
    return Document(id=doc_id_for(text), title="t", source="s", text=text)


def texts(text: str, sentences: list[Sentence]) -> list[str]:
    return [text[s.start : s.end] for s in sentences]


def check_sentences(text: str, sentences: list[Sentence], max_chars: int) -> None:
    assert [s.index for s in sentences] == list(range(len(sentences)))
    covered = 0
    previous_end = 0
    for s in sentences:
        piece = text[s.start : s.end]
        assert piece and piece == piece.strip(), (s, piece)
        assert "\n" not in piece
        assert len(piece) <= max_chars
        assert s.start >= previous_end
        assert not text[previous_end : s.start].strip()  # nothing skipped but whitespace
        previous_end = s.end
        covered += len("".join(piece.split()))
    assert not text[previous_end:].strip()
    assert covered == len("".join(text.split()))


def check_chunks(doc: Document, chunks: list[Chunk], chunk_chars: int, overlap: int) -> None:
    sentences = split_sentences(doc.text, max_chars=min(MAX_SENTENCE_CHARS, chunk_chars))
    seen: set[int] = set()
    for i, chunk in enumerate(chunks):
        assert chunk.index == i and chunk.doc_id == doc.id
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.sentences, chunk
        assert chunk.start == chunk.sentences[0].start and chunk.end == chunk.sentences[-1].end
        indices = [s.index for s in chunk.sentences]
        assert indices == list(range(indices[0], indices[-1] + 1))  # consecutive
        for s in chunk.sentences:
            assert s == sentences[s.index]  # document-level ids and offsets
        assert len(chunk.text) <= chunk_chars or len(chunk.sentences) == 1
        if i:
            prev = chunks[i - 1].sentences
            shared = prev[-1].index - indices[0] + 1
            assert 0 <= shared <= min(overlap, len(prev) - 1)
            if shared < min(overlap, len(prev) - 1):  # only when one more would not fit
                assert chunk.end - sentences[indices[0] - 1].start > chunk_chars
            assert indices[-1] > prev[-1].index  # progress
        seen.update(indices)
    assert seen == set(range(len(sentences)))


# ------------------------------------------------------------------ sentences


def test_sentences_respect_abbreviations_and_decimals() -> None:
    text = 'Dr. Smith paid $3.5 million on Jan. 5. He said: "Wow." U.S. troops left!  Why?'
    assert texts(text, split_sentences(text)) == [
        "Dr. Smith paid $3.5 million on Jan. 5.",
        'He said: "Wow."',
        "U.S. troops left!",
        "Why?",
    ]


def test_month_and_weekday_names_end_sentences() -> None:
    # sentencex takes "May." for an abbreviation when no common sentence starter follows
    text = (
        "The final is in May. Sevilla play Napoli. It opens on Friday. 5,000 came. "
        'Dr. Smith left in Feb. Jones stayed. It ended in June. "Fine," he said.'
    )
    assert texts(text, split_sentences(text)) == [
        "The final is in May.",
        "Sevilla play Napoli.",
        "It opens on Friday.",
        "5,000 came.",
        "Dr. Smith left in Feb. Jones stayed.",
        "It ended in June.",
        '"Fine," he said.',
    ]


def test_line_breaks_are_hard_boundaries() -> None:
    text = "Budget vote delayed\nBy Jane Doe\n\n  • First bullet without a period\n  • Second one.\nBody text. More."  # noqa: E501
    assert texts(text, split_sentences(text)) == [
        "Budget vote delayed",
        "By Jane Doe",
        "• First bullet without a period",
        "• Second one.",
        "Body text.",
        "More.",
    ]


def test_inline_list_numbers_stay_with_their_item() -> None:
    text = "Tips for the trip . 1. START EARLY: book the hall now. 2. SAVE: buy in bulk . 3."
    assert texts(text, split_sentences(text)) == [
        "Tips for the trip .",
        "1. START EARLY: book the hall now.",
        "2. SAVE: buy in bulk .",
        "3.",
    ]
    text = "It is delicious.' 2. Lasagne - 'my favourite.' Paid on Jan. 5. He left."
    assert texts(text, split_sentences(text)) == [
        "It is delicious.'",
        "2. Lasagne - 'my favourite.'",
        "Paid on Jan. 5.",
        "He left.",
    ]


def test_long_sentences_are_cut_at_clause_breaks() -> None:
    clause = "the committee reviewed item number 12 in detail"
    text = "; ".join([clause] * 40) + "."
    sentences = split_sentences(text)
    assert len(sentences) > 1
    check_sentences(text, sentences, MAX_SENTENCE_CHARS)
    assert all(p.endswith((";", ".")) for p in texts(text, sentences))


def test_long_run_without_spaces_is_cut_hard() -> None:
    text = "x" * 1500 + " tail."
    pieces = texts(text, split_sentences(text, max_chars=600))
    assert pieces == ["x" * 600, "x" * 600, "x" * 300 + " tail."]


def test_non_ascii_offsets() -> None:
    text = "Café 😀 costs €5. Zelenskyy — “hello”. 日本語です。次の文。"
    sentences = split_sentences(text)
    check_sentences(text, sentences, MAX_SENTENCE_CHARS)
    assert texts(text, sentences)[0] == "Café 😀 costs €5."


@given(texty, st.integers(min_value=5, max_value=700))
@settings(max_examples=300, deadline=None)
def test_sentence_invariants_on_any_text(text: str, max_chars: int) -> None:
    check_sentences(text, split_sentences(text, max_chars=max_chars), max_chars)


# ------------------------------------------------------------------ chunks


def test_chunks_overlap_by_whole_sentences() -> None:
    text = " ".join(f"Sentence number {i} has some words in it." for i in range(60))
    doc = doc_of(text)
    chunks = chunk_document(doc, chunk_chars=300, overlap=1)
    assert len(chunks) > 5
    check_chunks(doc, chunks, 300, 1)
    assert chunks[1].sentences[0] == chunks[0].sentences[-1]
    assert chunk_document(doc, chunk_chars=300, overlap=1) == chunks  # deterministic
    check_chunks(doc, chunk_document(doc, chunk_chars=300, overlap=0), 300, 0)
    check_chunks(doc, chunk_document(doc, chunk_chars=300, overlap=3), 300, 3)


def test_small_and_empty_documents() -> None:
    one = doc_of("Just one line")
    chunks = chunk_document(one)
    assert [(c.start, c.end, c.text, c.id) for c in chunks] == [
        (0, 13, "Just one line", f"{one.id}:0")
    ]
    assert chunk_document(doc_of("")) == []


def test_bad_settings() -> None:
    with pytest.raises(ConfigError):
        chunk_document(doc_of("a"), chunk_chars=0)
    with pytest.raises(ConfigError):
        chunk_document(doc_of("a"), overlap=-1)


@given(texty, st.integers(min_value=20, max_value=1200), st.integers(min_value=0, max_value=3))
@settings(max_examples=200, deadline=None)
def test_chunk_invariants_on_any_text(text: str, chunk_chars: int, overlap: int) -> None:
    for doc in (doc_of(text), doc_of(canonicalize(text))):
        check_chunks(doc, chunk_document(doc, chunk_chars, overlap), chunk_chars, overlap)


# ------------------------------------------------------------------ real documents


def check_exact(doc: Document) -> int:
    chunks = chunk_document(doc)
    assert chunks
    check_chunks(doc, chunks, 1000, 1)
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        for s in chunk.sentences:
            piece = doc.text[s.start : s.end]
            assert (
                piece == piece.strip()
                and chunk.text[s.start - chunk.start : s.end - chunk.start] == piece
            )
    check_sentences(doc.text, split_sentences(doc.text), MAX_SENTENCE_CHARS)
    return len(chunks)


def test_every_seed_chunk_slices_exactly() -> None:
    seeds = sorted(p for p in SEEDS.iterdir() if p.is_file())
    assert seeds
    for path in seeds:
        doc = load_path(path)
        assert check_exact(doc) >= 1


def test_seed_headlines_stay_separate(seed_path: Path) -> None:
    doc = load_path(seed_path)
    pieces = texts(doc.text, split_sentences(doc.text))
    assert "Ukraine" in pieces and "Volodymyr Zelenskyi" in pieces
    assert any(re.match(r"• US Secretary of State .* 8,000 North Korean", p) for p in pieces)


def test_every_bump_article_chunk_slices_exactly(bump_rows: list[dict[str, Any]]) -> None:
    articles = {str(r["article_id"]): r["article"] for r in bump_rows}
    assert len(articles) == 99
    total = 0
    for article_id, article in sorted(articles.items()):
        doc = load_bytes(article.encode("utf-8"), source=f"bump:{article_id}", suffix=".txt")
        total += check_exact(doc)
    assert total >= len(articles)
