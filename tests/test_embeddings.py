"""The local MiniLM embedder against an independent numpy forward pass, published values and
stored reference vectors; batching, truncation, caching; the OpenAI embedder offline.

Regenerate the stored reference (it is checked against the numpy forward pass first):
    uv run python tests/test_embeddings.py --write-reference
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import random
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from agent import embeddings as E
from agent.errors import ConfigError, EndpointError

REFERENCE = Path(__file__).resolve().parent / "data" / "embedding_reference.json"
UPSTREAM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
REFERENCE_TEXTS = [
    "The weather is lovely today.",
    "North Korean troops were deployed to the Kursk region.",
    "Revenue rose 12% to $4.5 billion in the third quarter of 2024.",
    "",
    "Ünïcödé, punctuation!? and    spaces\tand a newline\nhere.",
]


# --------------------------------------------------------------------------- independent numpy BERT


def _np_layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


@functools.cache
def _weights64(src: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    from safetensors.numpy import load_file

    cfg = json.loads((src / "config.json").read_text(encoding="utf-8"))
    w = {k: v.astype(np.float64) for k, v in load_file(str(src / "model.safetensors")).items()}
    return cfg, w


def numpy_forward(ids: list[int], src: Path) -> np.ndarray:
    """float64 BERT + mean pooling + normalization, written from the model definition,
    sharing no code with the ONNX builder."""
    cfg, w = _weights64(src)
    eps = cfg["layer_norm_eps"]
    heads = cfg["num_attention_heads"]
    n, hidden = len(ids), cfg["hidden_size"]
    d = hidden // heads
    erf = np.vectorize(math.erf)

    def dense(x: np.ndarray, name: str) -> np.ndarray:
        return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]

    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = _np_layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        q, k, v = (
            dense(x, f"{p}.attention.self.{t}").reshape(n, heads, d).transpose(1, 0, 2)
            for t in ("query", "key", "value")
        )
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = np.exp(s - s.max(-1, keepdims=True))
        ctx = (s / s.sum(-1, keepdims=True)) @ v
        a = dense(ctx.transpose(1, 0, 2).reshape(n, hidden), f"{p}.attention.output.dense")
        x = _np_layer_norm(
            a + x,
            w[f"{p}.attention.output.LayerNorm.weight"],
            w[f"{p}.attention.output.LayerNorm.bias"],
            eps,
        )
        h = dense(x, f"{p}.intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h / math.sqrt(2.0)))
        o = dense(h, f"{p}.output.dense")
        x = _np_layer_norm(
            o + x, w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"], eps
        )
    mean = x.mean(0)
    return mean / np.linalg.norm(mean)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def model(cache_dir: Path) -> E.LocalMiniLM:
    return E.LocalMiniLM(cache_dir)


@pytest.fixture(scope="module")
def onnx_path(cache_dir: Path) -> Path:
    return E.ensure_model_file(cache_dir)


def _run(session: Any, model: E.LocalMiniLM, texts: list[str]) -> np.ndarray:
    """One padded batch through ``session``, bypassing the sorting in ``embed``."""
    ids = model.tokenize(texts)
    width = max(len(x) for x in ids)
    input_ids = np.zeros((len(ids), width), dtype=np.int64)
    mask = np.zeros_like(input_ids)
    for r, x in enumerate(ids):
        input_ids[r, : len(x)] = x
        mask[r, : len(x)] = 1
    out = session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
    return np.asarray(out)


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# --------------------------------------------------------------------------- correctness


def test_model_files_are_the_upstream_weights() -> None:
    path = E.model_dir() / "model.safetensors"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == UPSTREAM_SHA256
    assert E.weights_sha256(path) == digest  # the cheap RECORD lookup agrees


def test_tokenizer_ids_and_truncation_setting(model: E.LocalMiniLM) -> None:
    assert model.tokenize(["Hello world"]) == [[101, 7592, 2088, 102]]
    assert E.load_tokenizer().truncation["max_length"] == 256


def test_onnx_matches_independent_numpy_forward(model: E.LocalMiniLM, onnx_path: Path) -> None:
    texts = [*REFERENCE_TEXTS[:3], "Short.", REFERENCE_TEXTS[4]]
    got = model.embed(texts)  # several lengths in one padded batch
    ids = model.tokenize(texts)
    src = E.model_dir()
    for row, x in zip(got, ids, strict=True):
        np.testing.assert_allclose(row, numpy_forward(x, src), atol=1e-5)


@pytest.mark.parametrize("level", ["all", "extended", "basic", "disable"])
def test_every_ort_optimization_level_gives_the_same_vectors(
    model: E.LocalMiniLM, onnx_path: Path, level: str
) -> None:
    # onnxruntime 1.32 at ORT_ENABLE_ALL once mis-merged a scalar int64 constant in such a graph.
    texts = ["A cat.", "Revenue rose 12% to $4.5 billion in the third quarter of 2024."]
    got = _run(E.make_session(onnx_path, level=level), model, texts)
    want = np.stack([numpy_forward(x, E.model_dir()) for x in model.tokenize(texts)])
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_published_sentence_transformers_similarities(model: E.LocalMiniLM) -> None:
    # sbert.net quickstart, all-MiniLM-L6-v2: [[1, 0.6660, 0.1046], [., 1, 0.1411], ...]
    v = model.embed(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    sims = v @ v.T
    assert sims[0, 1] == pytest.approx(0.6660, abs=2e-4)
    assert sims[0, 2] == pytest.approx(0.1046, abs=2e-4)
    assert sims[1, 2] == pytest.approx(0.1411, abs=2e-4)


def test_similar_close_unrelated_far(model: E.LocalMiniLM) -> None:
    a, b, c = model.embed(
        [
            "The company's revenue grew by ten percent last year.",
            "Last year the firm's sales increased 10%.",
            "A recipe for chocolate cake with strawberries.",
        ]
    )
    assert _cos(a, b) > 0.6
    assert _cos(a, c) < 0.2
    assert _cos(a, b) - _cos(a, c) > 0.5


def test_stored_reference_vectors(model: E.LocalMiniLM) -> None:
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert ref["model"] == E.LOCAL_NAME
    assert ref["weights_sha256"] == UPSTREAM_SHA256
    got = model.embed([r["text"] for r in ref["vectors"]])
    for row, r in zip(got, ref["vectors"], strict=True):
        np.testing.assert_allclose(row, np.asarray(r["vector"], dtype=np.float32), atol=1e-5)


# --------------------------------------------------------------------------- shape and batching


def test_output_shape_dtype_and_norm(model: E.LocalMiniLM) -> None:
    v = model.embed(["one", "two words", ""])
    assert v.shape == (3, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    q = model.embed_query("one")
    assert q.shape == (384,)
    np.testing.assert_allclose(q, v[0], atol=1e-6)


def test_empty_list_and_bad_input(model: E.LocalMiniLM) -> None:
    assert model.embed([]).shape == (0, 384)
    with pytest.raises(TypeError):
        model.embed("not a list")
    with pytest.raises(TypeError):
        model.embed(["ok", 3])  # type: ignore[list-item]


def _varied_words(n: int, model: E.LocalMiniLM) -> list[str]:
    vocab = [
        "river", "city", "market", "school", "water", "night", "story", "music", "light",
        "table", "garden", "paper", "window", "money", "winter", "summer", "doctor", "office",
        "train", "letter", "family", "friend", "forest", "mountain", "village", "engine",
        "bridge", "island", "planet", "animal",
    ]  # fmt: skip
    assert all(len(ids) == 3 for ids in model.tokenize(vocab))  # one word = one token
    rng = random.Random(7)
    return [rng.choice(vocab) for _ in range(n)]


def test_truncation_at_256_tokens(model: E.LocalMiniLM) -> None:
    words = _varied_words(400, model)
    long_text, first_254 = " ".join(words), " ".join(words[:254])
    assert len(model.tokenize([long_text])[0]) == 256
    long_v, prefix_v, short_v = model.embed([long_text, first_254, " ".join(words[:126])])
    np.testing.assert_allclose(long_v, prefix_v, atol=1e-5)
    assert not np.allclose(long_v, short_v, atol=1e-3)  # not the file's built-in 128


def test_batch_order_restored(model: E.LocalMiniLM) -> None:
    rng = random.Random(3)
    words = _varied_words(100, model)
    texts = [" ".join(words[: rng.randint(1, 60)]) for _ in range(30)] + ["x", "x"]
    batched = E.LocalMiniLM(model.cache_dir, batch_size=8).embed(texts)
    single = np.stack([model.embed_query(t) for t in texts])
    np.testing.assert_allclose(batched, single, atol=1e-5)


# --------------------------------------------------------------------------- cache and singleton


def test_model_file_built_once_then_reused(
    onnx_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = onnx_path.read_bytes()
    calls: list[Path] = []

    def fake_build(src: Path) -> bytes:
        calls.append(src)
        return built

    monkeypatch.setattr(E, "build_model", fake_build)
    cache = tmp_path / "models"
    first = E.ensure_model_file(cache)
    second = E.ensure_model_file(cache)
    assert first == second and first.read_bytes() == built
    assert len(calls) == 1
    assert [p.name for p in cache.iterdir()] == [first.name]  # no temp files left
    assert UPSTREAM_SHA256[:16] in first.name


def test_runtime_loads_cached_file_and_rebuilds_damaged_one(
    onnx_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = onnx_path.read_bytes()
    calls: list[Path] = []

    def fake_build(src: Path) -> bytes:
        calls.append(src)
        return built

    monkeypatch.setattr(E, "build_model", fake_build)
    cache = tmp_path / "models"
    cache.mkdir()
    target = E.cached_model_path(cache)
    target.write_bytes(b"not an onnx file")
    E._reset_runtime()
    try:
        v = E.LocalMiniLM(cache).embed_query("hello")
        assert v.shape == (384,)
        assert len(calls) == 1 and target.read_bytes() == built
        E.LocalMiniLM(cache).embed(["again"])  # same process: the session is reused
        assert len(calls) == 1
    finally:
        E._reset_runtime()


def test_unwritable_cache_builds_in_memory(
    onnx_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = onnx_path.read_bytes()
    monkeypatch.setattr(E, "build_model", lambda src: built)
    (tmp_path / "not-a-dir").write_text("x")
    cache = tmp_path / "not-a-dir" / "models"
    with pytest.raises(E.CacheWriteError):
        E.ensure_model_file(cache)
    E._reset_runtime()
    try:
        assert E.LocalMiniLM(cache).embed(["still works"]).shape == (1, 384)
    finally:
        E._reset_runtime()


def test_get_embedder_local_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.settings import get_settings

    s = get_settings()
    a, b = E.get_embedder(s), E.get_embedder(s)
    assert a is b and isinstance(a, E.LocalMiniLM) and isinstance(a, E.Embedder)
    assert a.name == "local:all-MiniLM-L6-v2" and a.dim == 384
    assert a.cache_dir == s.home / "models"


# --------------------------------------------------------------------------- OpenAI, offline


def test_openai_without_key_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.settings import get_settings

    monkeypatch.setenv("VERISUM_EMBEDDING", "openai")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        E.get_embedder(get_settings())


class _Stub(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []
    status = 200

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        payload: dict[str, Any]
        if self.status != 200:
            payload = {"error": {"message": "boom", "type": "server_error"}}
        else:
            data = [
                {"object": "embedding", "index": i, "embedding": [float(len(t)) + 1.0, 2.0, 0.0]}
                for i, t in enumerate(body["input"])
            ]
            payload = {
                "object": "list",
                "data": data[::-1],
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        raw = json.dumps(payload).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stub_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    _Stub.requests = []
    _Stub.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    monkeypatch.setenv("VERISUM_BASE_URL", url)
    monkeypatch.setenv("VERISUM_EMBEDDING", "openai")
    monkeypatch.setenv("VERISUM_OPENAI_EMBEDDING_MODEL", "stub-embedder")
    monkeypatch.setenv("VERISUM_LLM_MAX_RETRIES", "0")
    yield url
    server.shutdown()
    server.server_close()


def test_openai_batches_orders_and_normalizes(stub_url: str) -> None:
    from agent.settings import get_settings

    get_settings.cache_clear()
    emb = E.get_embedder(get_settings())
    assert emb.name == "openai:stub-embedder"
    texts = ["a" * (i % 7) for i in range(300)]
    v = emb.embed(texts)
    assert [len(r["input"]) for r in _Stub.requests] == [256, 44]
    assert all(r["model"] == "stub-embedder" for r in _Stub.requests)
    assert "" not in _Stub.requests[0]["input"]  # the API rejects empty strings
    assert v.shape == (300, 3) and emb.dim == 3
    want = np.array([[max(len(t), 1) + 1.0, 2.0, 0.0] for t in texts])
    want /= np.linalg.norm(want, axis=1, keepdims=True)
    np.testing.assert_allclose(v, want, atol=1e-6)


def test_openai_http_error_is_endpoint_error(stub_url: str) -> None:
    from agent.settings import get_settings

    _Stub.status = 500
    get_settings.cache_clear()
    with pytest.raises(EndpointError, match="HTTP 500"):
        E.get_embedder(get_settings()).embed(["x"])


# --------------------------------------------------------------------------- reference writer


def write_reference() -> None:
    """Write tests/data/embedding_reference.json after checking every vector against the
    independent numpy forward pass."""
    model = E.get_embedder()
    assert isinstance(model, E.LocalMiniLM)
    src = E.model_dir()
    vecs = model.embed(REFERENCE_TEXTS)
    for text, ids, v in zip(REFERENCE_TEXTS, model.tokenize(REFERENCE_TEXTS), vecs, strict=True):
        diff = float(np.abs(v - numpy_forward(ids, src)).max())
        print(f"max |onnx - numpy| = {diff:.2e}  {text[:40]!r}")
        assert diff < 1e-5
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    head = {
        "model": E.LOCAL_NAME,
        "weights_sha256": E.weights_sha256(src / "model.safetensors"),
        "max_tokens": E.MAX_TOKENS,
        "note": "checked against tests/test_embeddings.py:numpy_forward (float64) to < 1e-5",
    }
    rows = [
        json.dumps({"text": t, "vector": [round(float(x), 7) for x in v]}, ensure_ascii=False)
        for t, v in zip(REFERENCE_TEXTS, vecs, strict=True)
    ]
    lines = [f" {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    body = ",\n  ".join(rows)
    REFERENCE.write_text(
        "{\n" + "\n".join(lines) + f'\n "vectors": [\n  {body}\n ]\n}}\n', encoding="utf-8"
    )
    print(f"wrote {REFERENCE}")


if __name__ == "__main__":
    if "--write-reference" in sys.argv:
        write_reference()
