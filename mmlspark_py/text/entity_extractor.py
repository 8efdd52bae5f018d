"""EntityExtractor: tag tokenized text with a pretrained bi-LSTM(-CRF) and return its entity spans.

Columns:
    in  ``inputCol``  array<string>: the tokens of one sentence or document (null -> null outputs, [] -> []).
    out ``tagsCol``   array<string>: one tag per token (the model's scheme, BIO or BIOES).
    out ``outputCol`` array<struct<text: string, label: string, start: int, end: int>>: the entities, with
        token indices ``start`` inclusive and ``end`` exclusive; ``text`` is the tokens joined by spaces.

The model (``model`` bytes, or ``setModelLocation(path)``) is a tagger in our format
(:mod:`mmlspark_py.text.sequence_tagger`): an ONNX file such as
:func:`mmlspark_py.text.neuroner.convert_neuroner` writes (run with onnxruntime, Viterbi decoding for CRF
models), or a Keras model written by :class:`~mmlspark_py.text.bilstm_tagger.BiLSTMTagger` (needs the ``tf``
extra). It is broadcast once and loaded once per Python worker; rows run in Arrow batches of
``miniBatchSize`` rows, and inside a batch in length-sorted groups.

Errors: a model that is not a tagger in our format fails in the driver (``setModelLocation``/``transform``)
with :class:`~mmlspark_py.text.sequence_tagger.TaggerFormatError`; a wrong input column type is a SchemaError.

Example::

    convert_neuroner(neuroner_dir + "/trained_models/conll_2003_en", "/tmp/conll.onnx")
    ner = EntityExtractor(inputCol="tokens", outputCol="entities").setModelLocation("/tmp/conll.onnx")
    ner.transform(spark.createDataFrame([(["EU", "rejects", "German", "call"],)], ["tokens"]))
    # entities: [{text: EU, label: ORG, start: 0, end: 1}, {text: German, label: MISC, start: 2, end: 3}]
    ner.write().overwrite().save("/tmp/ner")          # the model bytes are saved with the stage
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pyarrow as pa
from pyspark.ml.param import TypeConverters
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import ArrayType, IntegerType, StringType, StructField, StructType

from mmlspark_py.core.batching import with_batched_columns
from mmlspark_py.core.model_cache import broadcast_once, get_or_create, sha256_hex
from mmlspark_py.core.model_files import read_model_bytes
from mmlspark_py.core.params import BytesParam, HasInputCol, HasMiniBatchSize, HasOutputCol, declare, override
from mmlspark_py.core.stage import Transformer, add_fields, require_column
from mmlspark_py.text.entity_spans import tags_to_spans
from mmlspark_py.text.sequence_tagger import SequenceTagger, TaggerFormatError, TaggerMetadata, read_metadata

__all__ = ["EntityExtractor", "ENTITY_TYPE", "tagger_metadata"]

ENTITY_TYPE = ArrayType(
    StructType(
        [
            StructField("text", StringType(), True),
            StructField("label", StringType(), True),
            StructField("start", IntegerType(), True),
            StructField("end", IntegerType(), True),
        ]
    ),
    True,
)
_TAGS_TYPE = ArrayType(StringType(), True)
_metadata_cache: Dict[str, TaggerMetadata] = {}


def tagger_metadata(payload: bytes) -> TaggerMetadata:
    """The metadata of a tagger file's bytes, read without building a session (cached by content hash).

    :raises TaggerFormatError: when the bytes are not an ONNX or Keras tagger in our format.
    """
    key = sha256_hex(payload)
    if key not in _metadata_cache:
        _metadata_cache[key] = read_metadata(payload)
    return _metadata_cache[key]


def _validate_tagger(payload: bytes) -> None:
    tagger_metadata(payload)  # raises TaggerFormatError (a ValueError) for bytes that are no tagger of ours


class _TaggerParams(HasInputCol, HasOutputCol, HasMiniBatchSize):
    """Params and transform shared by EntityExtractor and BiLSTMTaggerModel."""

    model = BytesParam.declare(
        "the tagger file's bytes: an ONNX model from convert_neuroner or a Keras archive "
        "from BiLSTMTagger (see setModelLocation)",
        validate=_validate_tagger,
    )
    tagsCol = declare("output column of per-token tags (array<string>)", TypeConverters.toString, default="tags")
    outputCol = override(HasOutputCol.outputCol, default="entities", doc="output column of entity spans")
    miniBatchSize = override(HasMiniBatchSize.miniBatchSize, default=64)

    def _init_defaults(self) -> None:
        """Kept for subclasses written before defaults were declared (they are set by the declarations)."""

    def setModelLocation(self, path: str) -> Any:
        """Read the tagger file at ``path`` (any Hadoop path) into ``model`` (validated now; raises
        TaggerFormatError naming the path)."""
        payload = read_model_bytes(path)
        try:
            tagger_metadata(payload)
        except TaggerFormatError as e:
            raise TaggerFormatError(f"{path}: {e}") from None
        return self._set(model=payload)

    def getMetadata(self) -> TaggerMetadata:
        """Labels, vocabularies and CRF of the tagger in ``model``."""
        if not self.isDefined(self.model):
            raise TaggerFormatError(f"{type(self).__name__}: param 'model' is not set; use setModelLocation(path)")
        return tagger_metadata(self.getOrDefault(self.model))

    def transformSchema(self, schema: StructType) -> StructType:
        require_column(schema, self.getInputCol(), ArrayType(StringType()))
        self.getMetadata()
        if self.getTagsCol() == self.getOutputCol():
            raise ValueError(f"tagsCol and outputCol are both {self.getOutputCol()!r}; choose different names")
        return add_fields(schema, self._out_schema().fields)

    def _out_schema(self) -> StructType:
        return StructType(
            [StructField(self.getTagsCol(), _TAGS_TYPE, True), StructField(self.getOutputCol(), ENTITY_TYPE, True)]
        )

    def _transform(self, dataset: DataFrame) -> DataFrame:
        spark = SparkSession.getActiveSession() or dataset.sparkSession
        payload = broadcast_once(spark, self.getOrDefault(self.model))
        out_schema = self._out_schema()
        arrow_schema = to_arrow_schema(out_schema)
        input_col, rows = self.getInputCol(), self.getMiniBatchSize()

        def run(batch: pa.RecordBatch) -> pa.RecordBatch:
            tagger = get_or_create(("sequence_tagger", payload.key), lambda: SequenceTagger.from_bytes(payload.value))
            sentences = batch.column(input_col).to_pylist()
            tags = tagger.tag(sentences, batch_size=rows)
            spans = [None if t is None else _span_dicts(s, t) for s, t in zip(sentences, tags)]
            return pa.RecordBatch.from_arrays(
                [pa.array(tags, type=arrow_schema.field(0).type), pa.array(spans, type=arrow_schema.field(1).type)],
                schema=arrow_schema,
            )

        return with_batched_columns(dataset, [input_col], run, out_schema, rows)


def _span_dicts(tokens: List[Optional[str]], tags: List[str]) -> List[Dict[str, Any]]:
    words = ["" if t is None else t for t in tokens]
    return [span._asdict() for span in tags_to_spans(words, tags)]


class EntityExtractor(_TaggerParams, Transformer):
    """Entities of tokenized text from a pretrained bi-LSTM(-CRF) tagger (see the module docstring).

    Columns: in ``inputCol`` tokens (array<string>); out ``tagsCol`` per-token tags and ``outputCol`` entity
    spans. ``setModelLocation(path)`` reads the tagger file from any Hadoop path.
    """
