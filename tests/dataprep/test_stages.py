"""Spark stages of dataprep: values, compiled plans (no Python), model API and bad input."""

import pytest
from pyspark.sql import functions as F

from mmlspark_py.dataprep import (
    ContradictoryExamples,
    DataPrepError,
    DeriveColumnByExample,
    NoProgramFound,
    SplitColumnByExample,
    SynthesisTimeout,
    learn,
)
from tests.harness.plans import python_passes

NAMES = [
    ("Marta Quillfeather", "ops"),
    ("Jonah P. Wexley", "data"),
    ("Bo Ng", "Payroll"),
    ("Zoë Ångström", "mobile"),
    (None, "x"),
    ("", "y"),
    ("東京 タワー", "qa"),
    ("a.b*c (d) [e]", "z+"),
    ("w " * 5000 + "last", "long"),
]


@pytest.fixture(scope="module")
def names(spark):
    return spark.createDataFrame(NAMES, "name string, team string").cache()


@pytest.fixture(scope="module")
def model(names):
    return DeriveColumnByExample(
        inputCols=["name", "team"],
        outputCol="tag",
        numPrograms=4,
        examples=[[["Marta Quillfeather", "ops"], "OPS/Quillfeather"], [["Jonah P. Wexley", "data"], "DATA/Wexley"]],
    ).fit(names)


def test_derive_values_match_the_interpreter_and_plan_has_no_python(model, names):
    out = model.transform(names)
    assert python_passes(out) == 0
    got = {(r["name"], r["team"]): r["tag"] for r in out.collect()}
    assert got[("Bo Ng", "Payroll")] == "PAYROLL/Ng"
    assert got[(None, "x")] is None
    prog = model.learned
    for row in NAMES:
        assert got[row] == prog.run(row)


def test_model_api(model, names):
    assert "upper(" in model.explain() and "team" in model.explain()
    assert "regexp_extract" in model.toSQL() or "substring" in model.toSQL()
    assert 1 <= len(model.topK(3)) <= 3
    assert model.outputsFor(("Bo Ng", "Payroll"), 1) == ["PAYROLL/Ng"]
    sugg = model.suggestExamples(names, 3).collect()
    assert len(sugg) == 3
    assert sugg[0]["disagreement"] == max(len(set(model.outputsFor(r, 4))) for r in NAMES)


def test_derive_errors_are_clear(names):
    def fit(examples, **kw):
        return DeriveColumnByExample(inputCols=["name"], outputCol="o", examples=examples, **kw).fit(names)

    with pytest.raises(ContradictoryExamples, match="'Ng'"):
        fit([[["Bo Ng"], "Ng"], [["Bo Ng"], "Bo"]])
    with pytest.raises(DataPrepError, match="expected 1"):
        fit([[["Bo Ng", "x"], "Ng"]])
    with pytest.raises(NoProgramFound, match="not explained"):
        fit([[["abc"], "abc"], [["def"], "zebra"]])
    with pytest.raises(SynthesisTimeout):
        fit([[["Bo Ng"], "Ng"]], timeout=0.0)


def test_learned_null_rule_compiles(spark):
    df = spark.createDataFrame([("Ada Lovelace",), (None,), ("Bo Ng",)], "name string")
    m = DeriveColumnByExample(
        inputCols=["name"], outputCol="last", examples=[[["Ada Lovelace"], "Lovelace"], [[None], "(unknown)"]]
    ).fit(df)
    assert [r["last"] for r in m.transform(df).collect()] == ["Lovelace", "(unknown)", "Ng"]


def test_split_by_example_and_proposed_split(spark):
    df = spark.createDataFrame([("Kessler|Anika|Bramblecourt",), ("Ng||Fenwick",), ("A|B",), (None,)], "rec string")
    m = SplitColumnByExample(
        inputCol="rec",
        outputCols=["last", "first", "city"],
        examples=[
            ["Kessler|Anika|Bramblecourt", ["Kessler", "Anika", "Bramblecourt"]],
            ["Ng||Fenwick", ["Ng", "", "Fenwick"]],
        ],
    ).fit(df)
    rows = [tuple(r) for r in m.transform(df).select("last", "first", "city").collect()]
    assert rows[:2] == [("Kessler", "Anika", "Bramblecourt"), ("Ng", "", "Fenwick")]
    assert rows[3] == (None, None, None)
    proposed = SplitColumnByExample(inputCol="rec", prefix="f").fit(df)
    out = proposed.transform(df)
    assert out.columns[-3:] == ["f_1", "f_2", "f_3"]
    assert [tuple(r) for r in out.select("f_1", "f_2", "f_3").collect()][:3] == [
        ("Kessler", "Anika", "Bramblecourt"),
        ("Ng", "", "Fenwick"),
        ("A", None, None),
    ]
    with pytest.raises(DataPrepError, match="no delimiter"):
        SplitColumnByExample(inputCol="w", prefix="f").fit(spark.createDataFrame([("abc",)], "w string"))


def test_semantic_program_runs_as_sql(spark):
    rows = [("3/17/2022",), ("11/4/2019",), ("07/09/2021",), ("13/45/2020",), (None,)]
    df = spark.createDataFrame(rows, "d string")
    prog = learn([(("3/17/2022",), "2022-03-17")], inputs=rows[:3])
    out = df.select(F.expr(prog.toSQL(["d"])).alias("iso"))
    assert python_passes(out) == 0
    assert (
        [r["iso"] for r in out.collect()]
        == [prog.run(r) for r in rows]
        == ["2022-03-17", "2019-11-04", "2021-07-09", None, None]
    )


def test_split_with_fields_that_contain_spaces_uses_the_delimiter_the_examples_show(spark):
    rows = [("a b,c d,e f",), ("g,h i,j k l",), ("x y z,1,2",), ("p q,r,s t",)]
    df = spark.createDataFrame(rows, "s string")
    m = SplitColumnByExample(
        inputCol="s", outputCols=["f1", "f2", "f3"], examples=[["a b,c d,e f", ["a b", "c d", "e f"]]]
    ).fit(df)
    got = [tuple(r) for r in m.transform(df).select("f1", "f2", "f3").collect()]
    assert got == [tuple(r[0].split(",")) for r in rows]
    assert "','" in m.explain()
