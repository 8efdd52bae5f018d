"""BiLSTMTagger: train on 2,000 CoNLL-2003 train sentences (the fixed budget: 3 epochs), evaluate on the full
test set through Spark; the CRF output layer against the softmax one, and 2 data-parallel workers."""

from __future__ import annotations

import time
from collections import Counter, defaultdict

import numpy as np
import pytest
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

pytest.importorskip("tensorflow")

from mmlspark_py.text.bilstm_tagger import BiLSTMTagger, BiLSTMTaggerModel
from mmlspark_py.text.entity_extractor import EntityExtractor
from mmlspark_py.text.entity_spans import entity_f1
from mmlspark_py.text.sequence_tagger import SHAPE_PREFIX, SequenceTagger, TokenEncoder
from tests.text.entities.tagger_fixtures import conll_path, read_conll

SCHEMA = StructType(
    [
        StructField("id", StringType(), False),
        StructField("tokens", ArrayType(StringType()), True),
        StructField("tags", ArrayType(StringType()), True),
    ]
)
TRAIN_SENTENCES = 2000


def _df(spark, sentences):
    return spark.createDataFrame(
        [(str(i), [w for w, _ in s], [t for _, t in s]) for i, s in enumerate(sentences)], SCHEMA
    )


def _memorisation_baseline(train, test):
    """Each test token gets the tag it most often had in training ('O' when unseen)."""
    seen = defaultdict(Counter)
    for sent in train:
        for w, t in sent:
            seen[w][t] += 1
    return [[seen[w].most_common(1)[0][0] if w in seen else "O" for w, _ in sent] for sent in test]


BUDGET = dict(inputCol="tokens", labelCol="tags", embeddingDim=64, hiddenDim=64, maxEpochs=3, seed=7)


def _fit(spark, train, **params):
    start = time.time()
    model = BiLSTMTagger(**{**BUDGET, **params}).fit(_df(spark, train).repartition(2))
    print(f"\nBiLSTMTagger {params or '(CRF, 1 worker)'} fit on {len(train)} sentences: {time.time() - start:.1f}s")
    return model


def _f1(spark, model, conll_test):
    out = {r["id"]: r["predictedTags"] for r in model.transform(_df(spark, conll_test)).collect()}
    gold = [[t for _, t in s] for s in conll_test]
    return entity_f1(gold, [out[str(i)] for i in range(len(conll_test))])


@pytest.fixture(scope="module")
def trained(spark):
    train = read_conll(conll_path("train"))[:TRAIN_SENTENCES]
    return train, _fit(spark, train)


@pytest.mark.slow
def test_trained_tagger_f1_on_conll_test(spark, trained, conll_test):
    train, model = trained
    assert isinstance(model, BiLSTMTaggerModel)
    start = time.time()
    ours = _f1(spark, model, conll_test)
    baseline = entity_f1([[t for _, t in s] for s in conll_test], _memorisation_baseline(train, conll_test))
    print(
        f"\nBiLSTMTagger with CRF ({TRAIN_SENTENCES} train sentences, 3 epochs) on CoNLL-2003 test through Spark "
        f"({time.time() - start:.1f}s): F1={ours['f1']:.4f} (P={ours['precision']:.4f} R={ours['recall']:.4f}); "
        f"memorisation baseline F1={baseline['f1']:.4f}"
    )
    assert ours["f1"] >= 0.55
    assert ours["f1"] > baseline["f1"] + 0.1


@pytest.mark.slow
def test_crf_beats_softmax_and_two_workers_match_one(spark, trained, conll_test):
    """The same budget with a softmax output layer, and with the CRF on 2 data-parallel workers."""
    train, crf_model = trained
    crf = _f1(spark, crf_model, conll_test)["f1"]
    softmax = _f1(spark, _fit(spark, train, useCrf=False), conll_test)["f1"]
    two = _f1(spark, _fit(spark, train, numWorkers=2), conll_test)["f1"]
    print(
        f"\nCoNLL-2003 test F1 after {TRAIN_SENTENCES} sentences x 3 epochs: CRF {crf:.4f}, softmax {softmax:.4f}, "
        f"CRF on 2 workers {two:.4f}"
    )
    assert crf > softmax
    assert abs(two - crf) <= 0.03


@pytest.mark.slow
def test_trained_model_runs_in_entity_extractor_and_matches_direct_call(spark, trained, conll_test, tmp_path):
    _, model = trained
    path = tmp_path / "tagger.keras"
    path.write_bytes(model.getModel())
    ner = EntityExtractor(inputCol="tokens", tagsCol="t", outputCol="e").setModelLocation(str(path))
    sentences = conll_test[:50] + [[]]
    rows = {r["id"]: r["t"] for r in ner.transform(_df(spark, sentences)).collect()}
    direct = SequenceTagger.from_bytes(model.getModel()).tag([[w for w, _ in s] for s in sentences])
    assert [rows[str(i)] for i in range(len(sentences))] == direct
    meta = ner.getMetadata()
    assert meta.tagScheme == "BIO" and "B-PER" in meta.labels
    k = len(meta.labels)  # the trained CRF's scores travel in the metadata; decoding never puts I-X after O
    assert np.shape(meta.crf["transitions"]) == (k, k) and np.shape(meta.crf["start"]) == (k,)
    transitions = np.array(meta.crf["transitions"])
    o, i_per = meta.labels.index("O"), meta.labels.index("I-PER")
    assert transitions[o, i_per] < 0 < transitions[meta.labels.index("B-PER"), i_per]
    for tags in direct:
        assert all(not (b.startswith("I-") and a == "O") for a, b in zip(tags, tags[1:]))
    # unseen words fall back to their word shape, numbers to the digit-normalised form
    encoder = TokenEncoder(meta)
    assert encoder.index("Zqxwvbnm") == meta.tokenVocab[SHAPE_PREFIX + "Title"] != encoder.index("zqxwvbnm")
    assert encoder.index("1997") == encoder.index("2003") == meta.tokenVocab["0000"]


def test_bad_training_rows_fail_clearly(spark):
    bad = spark.createDataFrame([("0", ["a", "b"], ["O"]), ("1", ["c"], [None]), ("2", ["d"], ["O"])], SCHEMA)
    with pytest.raises(
        ValueError,
        match=r"2 row\(s\) have tags of another length than their tokens or null tags, "
        r'e\.g\. \{"tokens":\["a","b"\],"tags":\["O"\]\}',
    ):
        BiLSTMTagger(inputCol="tokens", maxEpochs=1).fit(bad)
    with pytest.raises(ValueError, match="has no non-empty token lists"):
        BiLSTMTagger(inputCol="tokens", maxEpochs=1).fit(spark.createDataFrame([("0", [], ["O"])], SCHEMA))
    with pytest.raises(ValueError, match="labelCol: column 'labels' does not exist"):
        BiLSTMTagger(inputCol="tokens", labelCol="labels").fit(bad)
    with pytest.raises(ValueError, match="expected a number > 0"):
        BiLSTMTagger(learningRate=0)
