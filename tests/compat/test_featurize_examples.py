"""SynapseML's documentation quick examples for ``synapse.ml.featurize`` and ``synapse.ml.featurize.text``,
in its import style, through the shim."""

from __future__ import annotations

import pytest
from pyspark.ml.linalg import Vectors


def test_data_conversion(spark, display):
    from synapse.ml.featurize import DataConversion

    df = spark.createDataFrame(
        [
            (True, 1, 2, 3, 4, 5.0, 6.0, "7", "8.0"),
            (False, 9, 10, 11, 12, 14.5, 15.5, "16", "17.456"),
            (True, -127, 345, 666, 1234, 18.91, 20.21, "100", "200.12345"),
        ],
        ["bool", "byte", "short", "int", "long", "float", "double", "intstring", "doublestring"],
    )

    dc = DataConversion().setCols(["byte"]).setConvertTo("boolean")

    display(dc.transform(df))
    assert [r["byte"] for r in display.shown.collect()] == [True, True, True]


def test_index_to_value(spark, display):
    from synapse.ml.featurize import IndexToValue, ValueIndexer

    df = spark.createDataFrame(
        [(-3, 24, 0.32534, True, "piano"), (1, 5, 5.67, False, "piano"), (-3, 5, 0.32534, False, "guitar")],
        ["int", "long", "double", "bool", "string"],
    )

    df2 = ValueIndexer().setInputCol("string").setOutputCol("string_cat").fit(df).transform(df)

    itv = IndexToValue().setInputCol("string_cat").setOutputCol("string_noncat")

    display(itv.transform(df2))
    assert [r["string_noncat"] for r in display.shown.collect()] == ["piano", "piano", "guitar"]


def test_value_indexer(spark, display):
    from synapse.ml.featurize import ValueIndexer

    df = spark.createDataFrame(
        [(-3, 24, 0.32534, True, "piano"), (1, 5, 5.67, False, "piano"), (-3, 5, 0.32534, False, "guitar")],
        ["int", "long", "double", "bool", "string"],
    )

    vi = ValueIndexer().setInputCol("string").setOutputCol("string_cat")

    display(vi.fit(df).transform(df))
    assert [r["string_cat"] for r in display.shown.collect()] == [1.0, 1.0, 0.0]  # sorted levels


def test_multi_ngram(spark, display):
    from pyspark.ml.feature import Tokenizer
    from synapse.ml.featurize.text import MultiNGram

    dfRaw = spark.createDataFrame(
        [
            (0, "Hi I"),
            (1, "I wish for snow today"),
            (2, "we Cant go to the park, because of the snow!"),
            (3, ""),
            (4, "1 2 3 4 5 6 7 8 9"),
        ],
        ["label", "sentence"],
    )

    dfTok = Tokenizer().setInputCol("sentence").setOutputCol("tokens").transform(dfRaw)

    mng = MultiNGram().setLengths([1, 3, 4]).setInputCol("tokens").setOutputCol("ngrams")

    display(mng.transform(dfTok))
    first = display.shown.collect()[0]["ngrams"]
    assert first == ["hi", "i"]
    digits = display.shown.collect()[4]["ngrams"]
    assert len(digits) == 9 + 7 + 6 and "1 2 3" in digits and "6 7 8 9" in digits


def test_page_splitter(spark, display):
    from synapse.ml.featurize.text import PageSplitter

    df = spark.createDataFrame(
        [
            ("words words  words     wornssaa ehewjkdiw weijnsikjn xnh",),
            ("s s  s   s     s           s",),
            ("hsjbhjhnskjhndwjnbvckjbnwkjwenbvfkjhbnwevkjhbnwejhkbnvjkhnbndjkbnd",),
            (
                "hsjbhjhnskjhndwjnbvckjbnwkjwenbvfkjhbnwevkjhbnwejhkbnvjkhnbndjkbnd 190872340870271091309831097813097130i3u709781",
            ),
            ("",),
            (None,),
        ],
        ["text"],
    )

    ps = PageSplitter().setInputCol("text").setMaximumPageLength(20).setMinimumPageLength(10).setOutputCol("pages")

    display(ps.transform(df))
    rows = display.shown.collect()
    texts = [r["text"] for r in rows]
    for text, row in zip(texts, rows):
        if text is None:
            assert row["pages"] is None
            continue
        assert "".join(row["pages"]) == text  # pages split the text, nothing lost
        assert all(len(p) <= 20 for p in row["pages"])


def test_text_featurizer(spark, display):
    from synapse.ml.featurize.text import TextFeaturizer

    dfRaw = spark.createDataFrame(
        [(0, "Hi I"), (1, "I wish for snow today"), (2, "we Cant go to the park, because of the snow!"), (3, "")],
        ["label", "sentence"],
    )

    tfRaw = TextFeaturizer().setInputCol("sentence").setOutputCol("features").setNumFeatures(20)

    display(tfRaw.fit(dfRaw).transform(dfRaw))
    vectors = [r["features"] for r in display.shown.collect()]
    assert [v.size for v in vectors] == [20] * 4
    assert vectors[1].numNonzeros() >= 4 and vectors[1].numNonzeros() > vectors[0].numNonzeros()


def test_clean_missing_data(spark, display):
    from synapse.ml.featurize import CleanMissingData

    dataset = spark.createDataFrame(
        [
            (0, 2, 0.50, 0.60, 0),
            (1, 3, 0.40, None, None),
            (0, 4, 0.78, 0.99, 2),
            (1, 5, 0.12, 0.34, 3),
            (0, 1, 0.50, 0.60, 0),
            (None, None, None, None, None),
            (0, 3, 0.78, 0.99, 2),
            (1, 4, 0.12, 0.34, 3),
            (0, None, 0.50, 0.60, 0),
            (1, 2, 0.40, 0.50, None),
            (0, 3, None, 0.99, 2),
            (1, 4, 0.12, 0.34, 3),
        ],
        ["col1", "col2", "col3", "col4", "col5"],
    )

    cmd = CleanMissingData().setInputCols(dataset.columns).setOutputCols(dataset.columns).setCleaningMode("Mean")
    # the example stops here; fitting it shows what it does
    display(cmd.fit(dataset).transform(dataset))
    col4 = [r["col4"] for r in display.shown.collect()]
    present = [0.60, 0.99, 0.34, 0.60, 0.99, 0.34, 0.60, 0.50, 0.99, 0.34]
    assert col4[1] == pytest.approx(sum(present) / len(present)) and col4[0] == 0.60
    assert all(v is not None for r in display.shown.collect() for v in r)


def test_count_selector(spark, display):
    from synapse.ml.featurize import CountSelector

    df = spark.createDataFrame(
        [
            (Vectors.sparse(3, [(0, 1.0), (2, 2.0)]), Vectors.dense(1.0, 0.1, 0)),
            (Vectors.sparse(3, [(0, 1.0), (2, 2.0)]), Vectors.dense(1.0, 0.1, 0)),
        ],
        ["col1", "col2"],
    )

    cs = CountSelector().setInputCol("col1").setOutputCol("col3")

    display(cs.fit(df).transform(df))
    assert [r["col3"].toArray().tolist() for r in display.shown.collect()] == [[1.0, 2.0]] * 2


def test_featurize(spark, display):
    from synapse.ml.featurize import Featurize

    # the example gives 5 values per row but 4 names, which createDataFrame refuses: its 5th column named
    dataset = spark.createDataFrame(
        [
            (0, 2, 0.50, 0.60, "pokemon are everywhere"),
            (1, 3, 0.40, 0.50, "they are in the woods"),
            (0, 4, 0.78, 0.99, "they are in the water"),
            (1, 5, 0.12, 0.34, "they are in the fields"),
            (0, 3, 0.78, 0.99, "pokemon - gotta catch em all"),
        ],
        ["Label", "col1", "col2", "col3", "col4"],
    )

    featureColumns = filter(lambda x: x != "Label", dataset.columns)

    feat = (
        Featurize()
        .setNumFeatures(10)
        .setOutputCol("testColumn")
        .setInputCols(list(featureColumns))
        .setOneHotEncodeCategoricals(False)
    )

    display(feat.fit(dataset).transform(dataset))
    vectors = [r["testColumn"].toArray() for r in display.shown.collect()]
    assert len({len(v) for v in vectors}) == 1 and len(vectors[0]) > 4  # 3 numbers + the used hash slots
    numeric = [(2.0, 0.5, 0.6), (3.0, 0.4, 0.5), (4.0, 0.78, 0.99), (5.0, 0.12, 0.34), (3.0, 0.78, 0.99)]
    for v, expected in zip(vectors, numeric):
        for value in expected:  # the numeric columns, as they are
            assert any(x == pytest.approx(value) for x in v)
        assert sum(1 for x in v if x != 0) > len(expected)  # the words hashed beside them
