"""Stage-harness case of SentenceEmbedder (a tiny stand-in encoder keeps save/load rounds fast)."""

from __future__ import annotations

from mmlspark_py.text.sentence_embedder import SentenceEmbedder
from tests.harness.stage_harness import StageCase
from tests.text.embeddings.encoders import file_bytes, minilm_paths, tiny_encoder

ROWS = [(0, "A man is eating food."), (1, None), (2, ""), (3, "Cafe\u0301 \U0001f600 naïve"), (4, "x" * 500)]


def _embedder(spark, tmp):
    stage = SentenceEmbedder(
        inputCol="text",
        outputCol="embedding",
        maxSequenceLength=32,
        miniBatchSize=2,
        deviceType="CPU",
        modelPayload=tiny_encoder(),
        tokenizerPayload=file_bytes(minilm_paths()[1]),
    )
    return stage, spark.createDataFrame(ROWS, "id int, text string").coalesce(1)


CASES = [StageCase("SentenceEmbedder.tiny_encoder", _embedder, covers=(SentenceEmbedder,), sort_by=("id",))]
