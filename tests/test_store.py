"""The Chroma store on its own: documents, chunks, replacement, recovery, model guard."""

from __future__ import annotations

import pytest

from agent.errors import EmbeddingMismatchError, NotFoundError
from agent.models import Chunk, Document, Sentence
from agent.settings import get_settings
from agent.store import PENDING, open_store
from tests.fakes import FakeHashEmbedder

TEXT = "Alpha beta gamma. Delta epsilon zeta.\nEta theta iota kappa."


def _doc(text: str = TEXT, source: str = "/tmp/a.txt", doc_id: str = "d1") -> Document:
    return Document(id=doc_id, title="A", source=source, text=text)


def _chunks(doc: Document) -> list[Chunk]:
    spans = [(0, 17), (18, 37), (38, len(doc.text))]
    sents = [Sentence(index=i, start=s, end=e) for i, (s, e) in enumerate(spans)]
    windows = [sents[0:2], sents[1:3]]
    return [
        Chunk(
            doc_id=doc.id,
            index=i,
            start=w[0].start,
            end=w[-1].end,
            text=doc.text[w[0].start : w[-1].end],
            sentences=w,
        )
        for i, w in enumerate(windows)
    ]


def _add(store, doc: Document, replaces=()) -> None:
    chunks = _chunks(doc)
    store.add_document(
        doc, chunks, store.embedder.embed([c.text for c in chunks]), replaces=replaces
    )


@pytest.fixture
def store():
    return open_store(get_settings(), FakeHashEmbedder())


def test_roundtrip_text_chunks_and_sentences(store) -> None:
    doc = _doc()
    _add(store, doc)
    got = store.get_document("d1")
    assert got.text == doc.text and got.title == "A" and got.source == doc.source
    chunks = store.get_chunks("d1")
    assert [c.index for c in chunks] == [0, 1]
    for c in chunks:
        assert got.text[c.start : c.end] == c.text
        for s in c.sentences:
            assert 0 <= s.start < s.end <= len(got.text)
    assert [s.index for s in store.sentences("d1")] == [0, 1, 2]
    [info] = store.list_documents()
    assert info.id == "d1" and info.chunks == 2 and info.chars == len(TEXT)


def test_search_ranks_matching_chunk_first_and_filters_by_doc(store) -> None:
    _add(store, _doc())
    other = _doc("Completely different words here. Nothing shared at all.\nReally.", "/b", "d2")
    _add(store, other)
    hits = store.search("theta iota kappa", k=3)
    assert hits[0].doc_id == "d1" and hits[0].chunk_index == 1
    assert hits[0].score > hits[-1].score
    only = store.search("theta iota kappa", k=3, doc_id="d2")
    assert {h.doc_id for h in only} == {"d2"}


def test_prefix_ids_and_not_found(store) -> None:
    _add(store, _doc(doc_id="abc123"))
    assert store.get_document("abc").id == "abc123"
    with pytest.raises(NotFoundError):
        store.get_document("zzz")


def test_replace_leaves_no_orphans(store) -> None:
    _add(store, _doc(doc_id="old"))
    _add(store, _doc(TEXT + " More.", doc_id="new"), replaces=store.ids_for_source("/tmp/a.txt"))
    assert [d.id for d in store.list_documents()] == ["new"]
    assert store.chunks.get(where={"doc_id": "old"})["ids"] == []
    assert store.docs.get(ids=["old"])["ids"] == []


def test_delete_document(store) -> None:
    _add(store, _doc())
    store.delete_document("d1")
    assert store.list_documents() == [] and store.count_chunks() == 0


def test_recover_removes_pending_leftovers(store) -> None:
    doc = _doc()
    _add(store, doc)
    # Simulate a crash after the record and some chunks were written.
    store.docs.update(ids=["d1"], metadatas=[{"status": PENDING}])
    assert store.list_documents() == []
    assert store.recover() == ["d1"]
    assert store.count_chunks() == 0 and store.docs.count() == 0


def test_other_embedding_model_is_a_clear_error(store) -> None:
    _add(store, _doc())
    other = open_store(get_settings(), FakeHashEmbedder(name="fake:other"))
    with pytest.raises(EmbeddingMismatchError, match="fake:hash-bow"):
        other.search("alpha")
    with pytest.raises(EmbeddingMismatchError):
        _add(other, _doc(doc_id="d9"))


def test_empty_store_search_returns_nothing(store) -> None:
    assert store.search("anything") == []


def test_a_write_marks_the_store_changed_before_it_happens(store, monkeypatch) -> None:
    """A writer killed in mid-write (kill -9) must still make readers in other processes
    reopen: the generation changes before the first write, not only after the last."""
    before = store._read_generation()

    def killed(*args, **kwargs):
        raise RuntimeError("killed in mid-write")

    for coll in (store.chunks, store.docs, store.sources):
        for name in ("add", "upsert", "update"):
            monkeypatch.setattr(coll._collection, name, killed)
    doc = _doc()
    with pytest.raises(Exception, match="killed"):
        _add(store, doc)
    assert store._read_generation() not in ("", before)


def test_close_releases_the_client_and_the_store_reopens(store) -> None:
    doc = _doc()
    _add(store, doc)
    store.close()
    assert store.client is None
    assert store.search("text", k=1)  # reopened on the next operation
