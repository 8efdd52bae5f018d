"""SynapseML's documentation quick examples for ``synapse.ml.stages``, in its import style, through the shim.

The example code is SynapseML's; only what does not run in Python at all is fixed, and said so
(``0.toDouble``/``true`` Scala leftovers, a missing import, a schema with fewer names than values).
"""

from __future__ import annotations

import pytest
from pyspark.ml.feature import VectorAssembler  # the EnsembleByKey example uses it without importing it


@pytest.fixture(scope="module")
def music(spark):
    return spark.createDataFrame(
        [
            (0, "guitars", "drums"),
            (1, "piano", "trumpet"),
            (2, "bass", "cymbals"),
            (3, "guitars", "drums"),
            (4, "piano", "trumpet"),
            (5, "bass", "cymbals"),
            (6, "guitars", "drums"),
            (7, "piano", "trumpet"),
            (8, "bass", "cymbals"),
            (9, "guitars", "drums"),
            (10, "piano", "trumpet"),
            (11, "bass", "cymbals"),
        ],
        ["numbers", "words", "more"],
    )


@pytest.fixture(scope="module")
def mixed(spark):
    # the examples' `0.toDouble`, `1.toLong`, `true` are Scala; the same values in Python
    return spark.createDataFrame(
        [
            (0, 0.0, "guitars", "drums", 1, True),
            (1, 1.0, "piano", "trumpet", 2, False),
            (2, 2.0, "bass", "cymbals", 3, True),
        ],
        ["numbers", "doubles", "words", "more", "longs", "booleans"],
    )


def test_cacher(spark, music, display):
    from synapse.ml.stages import Cacher

    cacher = Cacher()
    display(cacher.transform(music))
    assert display.shown.is_cached
    assert display.shown.collect() == music.collect()


def test_drop_columns(mixed, display):
    from synapse.ml.stages import DropColumns

    dc = DropColumns().setCols([])
    display(dc.transform(mixed))
    assert display.shown.columns == mixed.columns
    assert DropColumns().setCols(["words"]).transform(mixed).columns == [
        "numbers",
        "doubles",
        "more",
        "longs",
        "booleans",
    ]


def test_ensemble_by_key(spark, display):
    from synapse.ml.stages import EnsembleByKey

    scoreDF = spark.createDataFrame(
        [(0, "foo", 1.0, 0.1), (1, "bar", 4.0, -2.0), (1, "bar", 0.0, -3.0)], ["label1", "label2", "score1", "score2"]
    )

    va = VectorAssembler().setInputCols(["score1", "score2"]).setOutputCol("v1")
    scoreDF2 = va.transform(scoreDF)

    ebk = EnsembleByKey().setKey("label1").setCol("score1")

    display(ebk.transform(scoreDF2))
    assert display.shown.columns == ["label1", "mean(score1)"]
    assert {(r[0], r[1]) for r in display.shown.collect()} == {(1, 2.0), (0, 1.0)}
    both = EnsembleByKey().setKeys(["label1", "label2"]).setCols(["score1", "score2", "v1"]).transform(scoreDF2)
    assert {(r["mean(score1)"], tuple(r["mean(v1)"])) for r in both.collect()} == {
        (2.0, (2.0, -2.5)),
        (1.0, (1.0, 0.1)),
    }


def test_explode(spark, display):
    from synapse.ml.stages import Explode

    df = spark.createDataFrame([(0, ["guitars", "drums"]), (1, ["piano"]), (2, [])], ["numbers", "words"])

    explode = Explode().setInputCol("words").setOutputCol("exploded")

    display(explode.transform(df))
    assert [(r["numbers"], r["exploded"]) for r in display.shown.collect()] == [
        (0, "guitars"),
        (0, "drums"),
        (1, "piano"),
    ]


def test_lambda(spark, display):
    from pyspark.sql.types import StringType, StructType  # noqa: F401  (as in the example)
    from synapse.ml.stages import Lambda

    df = spark.createDataFrame(
        [
            (0, 0.0, "guitars", "drums", 1, True),
            (1, 1.0, "piano", "trumpet", 2, False),
            (2, 2.0, "bass", "cymbals", 3, True),
        ],
        ["numbers", "doubles", "words", "more", "longs", "booleans"],
    )

    l = (  # noqa: E741  (the example's name)
        Lambda()
        .setTransform(lambda df: df.select("numbers"))
        .setTransformSchema(lambda schema: StructType([schema("numbers")]))
    )

    display(l.transform(df))
    assert [r["numbers"] for r in display.shown.collect()] == [0, 1, 2]


def _ten(spark):
    return spark.createDataFrame([(_, "foo") for _ in range(1, 11)], ["in1", "in2"])


def test_dynamic_mini_batch_transformer(spark, display):
    from synapse.ml.stages import DynamicMiniBatchTransformer

    df = _ten(spark)
    dmbt = DynamicMiniBatchTransformer()
    display(dmbt.transform(df))
    batches = display.shown.collect()
    assert [x for r in batches for x in r["in1"]] == list(range(1, 11))
    assert all(set(r["in2"]) == {"foo"} for r in batches)


def test_fixed_mini_batch_transformer(spark):
    from synapse.ml.stages import FixedMiniBatchTransformer

    fmbt = (
        FixedMiniBatchTransformer()
        .setBuffered(True)  # the example's `true` is Scala
        .setBatchSize(3)
    )
    batches = fmbt.transform(_ten(spark).repartition(1)).collect()
    assert [r["in1"] for r in batches] == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]


def test_time_interval_mini_batch_transformer(spark, display):
    from synapse.ml.stages import TimeIntervalMiniBatchTransformer

    df = _ten(spark)
    timbt = TimeIntervalMiniBatchTransformer().setMillisToWait(1000).setMaxBatchSize(30)
    display(timbt.transform(df))
    batches = display.shown.collect()
    assert sorted(x for r in batches for x in r["in1"]) == list(range(1, 11))
    assert all(len(r["in1"]) <= 30 for r in batches)


def test_flatten_batch(spark, display):
    from synapse.ml.stages import DynamicMiniBatchTransformer, FlattenBatch

    df = _ten(spark)
    transDF = DynamicMiniBatchTransformer().transform(df)
    fb = FlattenBatch()
    display(fb.transform(transDF))
    assert display.shown.collect() == df.collect()


def test_rename_column(mixed, display):
    from synapse.ml.stages import RenameColumn

    rc = RenameColumn().setInputCol("words").setOutputCol("numbers")
    with pytest.warns(UserWarning, match="two columns named 'numbers'"):
        display(rc.transform(mixed))
    # as SynapseML (its test "Rename columns with outputColumn as existing column"): withColumnRenamed's result
    assert display.shown.columns == mixed.withColumnRenamed("words", "numbers").columns
    assert [tuple(r) for r in display.shown.collect()] == [tuple(r) for r in mixed.collect()]


def test_repartition(music, display):
    from synapse.ml.stages import Repartition

    repartition = Repartition().setN(1)
    display(repartition.transform(music))
    assert display.shown.rdd.getNumPartitions() == 1
    assert sorted(display.shown.collect()) == sorted(music.collect())


def test_select_columns(mixed, display):
    from synapse.ml.stages import SelectColumns

    # the example names 3 columns for 6 values, which createDataFrame refuses; the 6 names of the other examples
    sc = SelectColumns().setCols(["words", "more"])
    display(sc.transform(mixed))
    assert [tuple(r) for r in display.shown.collect()] == [
        ("guitars", "drums"),
        ("piano", "trumpet"),
        ("bass", "cymbals"),
    ]


def test_stratified_repartition(spark, display):
    from synapse.ml.stages import StratifiedRepartition

    df = spark.createDataFrame(
        [
            (0, "Blue", 2),
            (0, "Red", 2),
            (0, "Green", 2),
            (1, "Purple", 2),
            (1, "Orange", 2),
            (1, "Indigo", 2),
            (2, "Violet", 2),
            (2, "Black", 2),
            (2, "White", 2),
            (3, "Gray", 2),
            (3, "Yellow", 2),
            (3, "Cerulean", 2),
        ],
        ["values", "colors", "const"],
    )

    sr = StratifiedRepartition().setLabelCol("values").setMode("equal")
    display(sr.transform(df))
    out = display.shown
    partitions = out.rdd.glom().map(lambda rows: sorted({r["values"] for r in rows})).collect()
    assert partitions == [[0, 1, 2, 3]] * df.rdd.getNumPartitions()  # every label in every partition
    counts = {r["values"]: r["count"] for r in out.groupBy("values").count().collect()}
    assert counts == {0: 3, 1: 3, 2: 3, 3: 3}


def test_summarize_data(mixed, display):
    from synapse.ml.stages import SummarizeData

    summary = SummarizeData()
    display(summary.transform(mixed))
    rows = {r["Feature"]: r for r in display.shown.collect()}
    assert list(rows) == mixed.columns
    assert (rows["numbers"]["Count"], rows["numbers"]["Min"], rows["numbers"]["Median"], rows["numbers"]["Max"]) == (
        3.0,
        0.0,
        1.0,
        2.0,
    )
    assert rows["doubles"]["Sample_Variance"] == pytest.approx(1.0)
    assert rows["words"]["Unique_Value_Count"] == 3.0 and rows["words"]["Min"] is None


def test_text_preprocessor(spark, display):
    from synapse.ml.stages import TextPreprocessor

    df = spark.createDataFrame(
        [
            ("The happy sad boy drank sap",),
            ("The hater sad doy drank sap",),
            ("foo",),
            ("The hater sad doy aABc0123456789Zz_",),
        ],
        ["words1"],
    )

    testMap = {"happy": "sad", "hater": "sap", "sad": "sap", "sad doy": "sap"}

    textPreprocessor = (
        TextPreprocessor().setNormFunc("lowerCase").setMap(testMap).setInputCol("words1").setOutputCol("out")
    )

    display(textPreprocessor.transform(df))
    assert [r["out"] for r in display.shown.collect()] == [
        "The sad sap boy drank sap",
        "The sap sap drank sap",
        "foo",
        "The sap sap aABc0123456789Zz_",
    ]


def test_udf_transformer(mixed, display):
    from pyspark.sql.functions import udf
    from synapse.ml.stages import UDFTransformer

    stringToIntegerUDF = udf(lambda x: 1)

    udfTransformer = UDFTransformer().setUDF(stringToIntegerUDF).setInputCol("numbers").setOutputCol("out")

    display(udfTransformer.transform(mixed))
    assert [r["out"] for r in display.shown.collect()] == ["1", "1", "1"]


def test_unicode_normalize(spark, display):
    from synapse.ml.stages import UnicodeNormalize

    df = spark.createDataFrame([("Schön", 1), ("Scho\u0308n", 1), (None, 1)], ["words1", "dummy"])

    unicodeNormalize = UnicodeNormalize().setForm("NFC").setInputCol("words1").setOutputCol("norm1")

    display(unicodeNormalize.transform(df))
    assert [r["norm1"] for r in display.shown.collect()] == ["sch\u00f6n", "sch\u00f6n", None]  # lower=True


def test_class_balancer(spark, display):
    from synapse.ml.stages import ClassBalancer

    df = spark.createDataFrame(
        [
            (0, 1.0, "Hi I"),
            (1, 1.0, "I wish for snow today"),
            (2, 2.0, "I wish for snow today"),
            (3, 2.0, "I wish for snow today"),
            (4, 2.0, "I wish for snow today"),
            (5, 2.0, "I wish for snow today"),
            (6, 0.0, "I wish for snow today"),
            (7, 1.0, "I wish for snow today"),
            (8, 0.0, "we Cant go to the park, because of the snow!"),
            (9, 2.0, ""),
        ],
        ["index", "label", "sentence"],
    )

    cb = ClassBalancer().setInputCol("label")

    display(cb.fit(df).transform(df))
    weights = {r["label"]: r["weight"] for r in display.shown.collect()}
    assert weights == {1.0: 5 / 3, 2.0: 1.0, 0.0: 2.5}  # largest class count / class count


def test_multi_column_adapter(spark, display):
    from pyspark.ml.feature import Tokenizer
    from synapse.ml.stages import MultiColumnAdapter

    df = spark.createDataFrame(
        [
            (0, "This is a test", "this is one too"),
            (1, "could be a test", "bar"),
            (2, "foo", "bar"),
            (3, "foo", "maybe not"),
        ],
        ["label", "words1", "words2"],
    )

    stage1 = Tokenizer()
    mca = (
        MultiColumnAdapter()
        .setBaseStage(stage1)
        .setInputCols(["words1", "words2"])
        .setOutputCols(["output1", "output2"])
    )

    display(mca.fit(df).transform(df))
    rows = display.shown.collect()
    assert [r["output1"] for r in rows] == [["this", "is", "a", "test"], ["could", "be", "a", "test"], ["foo"], ["foo"]]
    assert [r["output2"] for r in rows] == [["this", "is", "one", "too"], ["bar"], ["bar"], ["maybe", "not"]]


def test_timer(spark, display):
    from pyspark.ml.feature import IDF, HashingTF, Tokenizer
    from synapse.ml.stages import Timer

    df = spark.createDataFrame(
        [(0, "Hi I"), (1, "I wish for snow today"), (2, "we Cant go to the park, because of the snow!"), (3, "")],
        ["label", "sentence"],
    )

    tok = Tokenizer().setInputCol("sentence").setOutputCol("tokens")

    df2 = Timer().setStage(tok).fit(df).transform(df)

    df3 = HashingTF().setInputCol("tokens").setOutputCol("hash").transform(df2)

    idf = IDF().setInputCol("hash").setOutputCol("idf")
    timer = Timer().setStage(idf)

    display(timer.fit(df3).transform(df3))
    expected = idf.fit(df3).transform(df3)
    assert [r["idf"] for r in display.shown.collect()] == [r["idf"] for r in expected.collect()]


def test_lump_features(spark, display):
    # no documentation example; SynapseML's own test data style
    from synapse.ml.stages import LumpFeatures

    df = spark.createDataFrame([("a",), ("a",), ("a",), ("b",), ("b",), ("c",), (None,)], ["cat"])
    lump = LumpFeatures().setLumpRules({"cat": 2}).setMinCount(2)
    model = lump.fit(df)
    display(model.transform(df))
    assert model.getKeptValues() == {"cat": ["a", "b"]}
    assert [r["cat"] for r in display.shown.collect()] == ["a", "a", "a", "b", "b", "__other__", None]


def test_partition_consolidator(music, display):
    # no documentation example: the stage moves rows, it does not change them
    from synapse.ml.stages import PartitionConsolidator

    display(PartitionConsolidator().transform(music.repartition(4)))
    assert display.shown.rdd.getNumPartitions() == 1  # one executor in local mode
    assert sorted(display.shown.collect()) == sorted(music.collect())
