"""Saved programs are data, never code (issue 12, item 2).

A model folder may come from someone else. Every field of a program decoded from JSON is validated when
the model is loaded (enums, integers in range, bounded strings, nested nodes of the right kind), the
error names the file and the field, and SQL is built from validated values only, quoted. The fuzz test
replaces every field of a program using every node kind by SQL or a value of the wrong type: each is
either refused on decode or, for free-text fields, comes out of Spark as the same text the interpreter
gives (quoted, never executed).
"""

import copy
import json
import os

import pytest
from pyspark.sql import functions as F

from mmlspark_py.core.persistence import PersistenceError
from mmlspark_py.dataprep import (
    DeriveColumnByExample,
    DeriveColumnByExampleModel,
    InvalidProgram,
    LearnedProgram,
    SplitColumnByExample,
    SplitColumnByExampleModel,
)

from .program_zoo import ROWS, missing_kinds, zoo

INJECT = "java_method('java.lang.System', 'getProperty', 'user.name') || upper"
BREAKOUT = "x'), java_method('java.lang.System', 'getProperty', 'user.name'), ('"
FREE_TEXT = {("const", "text"), ("literal", "text"), ("then", "text")}


def _metadata(path):
    return os.path.join(path, "metadata", "part-00000")


def _edit_program(path, edit):
    meta = json.loads(open(_metadata(path), encoding="utf-8").read())
    edit(meta["paramMap"])
    with open(_metadata(path), "w", encoding="utf-8") as f:
        f.write(json.dumps(meta))
    crc = os.path.join(path, "metadata", ".part-00000.crc")  # a folder from elsewhere has no checksum file
    if os.path.exists(crc):
        os.remove(crc)


@pytest.fixture(scope="module")
def names(spark):
    return spark.createDataFrame([("Ada Lovelace",), ("Bo Ng",)], "name string")


def test_a_first_release_model_whose_case_field_carries_sql_is_refused_at_load(names, tmp_path):
    """The payload that ran java_method on transform with the first release's loader."""
    path = str(tmp_path / "m")
    DeriveColumnByExample(inputCols=["name"], outputCol="o", examples=[[["Ada Lovelace"], "LOVELACE"]]).fit(
        names
    ).write().save(path)
    old_format = {
        "programs": [
            {
                "branches": [
                    [
                        None,
                        {
                            "node": "Concat",
                            "atoms": [
                                {
                                    "node": "SubStr",
                                    "col": 0,
                                    "p1": {"node": "TokPos", "token": "lit: ", "k": -1, "side": "end"},
                                    "p2": {"node": "AbsPos", "k": -1},
                                    "case": INJECT,
                                    "view": "",
                                }
                            ],
                        },
                    ]
                ]
            }
        ]
    }
    _edit_program(path, lambda pm: pm.__setitem__("program", old_format))
    with pytest.raises(PersistenceError) as err:
        DeriveColumnByExampleModel.load(path)
    msg = str(err.value)
    assert _metadata(path) in msg and "SubStr.case" in msg and "programs[0]" in msg


@pytest.mark.parametrize(
    "field_path,value,named",
    [
        (("atoms", 0, "col"), "0) || java_method('java.lang.System','getProperty','user.name') || (0", "SubStr.col"),
        (("atoms", 0, "start", "k"), "1}', 0)), java_method('a','b'), ('", "Match.k"),
        (("atoms", 0, "start", "token"), {"kind": "class", "name": "[^']+"}, "CharClass.name"),
        (("atoms", 0, "end"), {"kind": "sql", "text": "java_method('a','b')"}, "SubStr.end"),
        (("atoms", 0, "start", "k"), True, "Match.k"),
        (("atoms", 0, "start", "token", "text"), "x" * 5000, "Literal.text"),
    ],
)
def test_crafted_fields_of_a_saved_model_are_refused_naming_file_and_field(names, tmp_path, field_path, value, named):
    path = str(tmp_path / "m")
    DeriveColumnByExample(inputCols=["name"], outputCol="o", examples=[[["Ada Lovelace"], "LOVELACE"]]).fit(
        names
    ).write().save(path)

    def edit(pm):
        node = pm["program"]["programs"][0]["branches"][0]["body"]
        for key in field_path[:-1]:
            node = node[key]
        if field_path[-2:] == ("start", "token") or field_path[-1] == "text":
            node.setdefault(field_path[-1], {})
        node[field_path[-1]] = value

    # make the first atom's start a literal match so every path above exists
    lit_start = {"kind": "match", "token": {"kind": "literal", "text": " "}, "k": -1, "side": "end"}
    _edit_program(
        path,
        lambda pm: pm["program"]["programs"][0]["branches"][0]["body"]["atoms"][0].__setitem__(
            "start", copy.deepcopy(lit_start)
        ),
    )
    _edit_program(path, edit)
    with pytest.raises(PersistenceError) as err:
        DeriveColumnByExampleModel.load(path)
    assert _metadata(path) in str(err.value) and named in str(err.value)


def test_a_crafted_split_model_is_refused_and_so_is_a_pipeline_holding_one(spark, tmp_path):
    from pyspark.ml import Pipeline, PipelineModel

    df = spark.createDataFrame([("a-b",), ("c-d",)], "s string")
    split = SplitColumnByExample(inputCol="s", outputCols=["x", "y"], examples=[["a-b", ["a", "b"]]])
    path = str(tmp_path / "pipe")
    Pipeline(stages=[split]).fit(df).write().save(path)
    stage_dir = os.path.join(path, "stages", sorted(os.listdir(os.path.join(path, "stages")))[0])
    _edit_program(
        stage_dir, lambda pm: pm["programs"][1]["branches"][0]["body"]["atoms"][0].__setitem__("case", INJECT)
    )
    with pytest.raises(PersistenceError, match="programs\\[1\\].*SubStr.case"):
        SplitColumnByExampleModel.load(stage_dir)
    with pytest.raises(PersistenceError, match="part-00000.*SubStr.case"):
        PipelineModel.load(path)


def test_the_zoo_uses_every_node_kind():
    assert missing_kinds() == []


def _mutations(obj, path=()):
    """(path, mutated copy of the program JSON, node kind, field) for every field of every node."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "kind":
                continue
            for bad in (INJECT, BREAKOUT, -1.5, None, {"kind": "nope"}, [1, 2]):
                yield path + (k,), bad, obj.get("kind"), k
            yield from _mutations(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _mutations(v, path + (i,))


def _set(obj, path, value):
    obj = copy.deepcopy(obj)
    node = obj
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return obj


def test_every_field_is_refused_or_inert_when_fuzzed(interpreted):
    spark = interpreted
    base = zoo().to_json()
    refused, accepted = 0, []
    for path, bad, kind, fld in _mutations(base):
        doc = {"programs": [_set(base, path, bad)]}
        try:
            learned = LearnedProgram.from_json(doc)
        except InvalidProgram as e:
            assert fld in str(e) or "branches" in str(e) or "atoms" in str(e) or "programs" in str(e), str(e)
            refused += 1
            continue
        # Accepted: a free-text field holding the payload as text, an optional field set to None, or a
        # default that the bad value happens to equal. It must run as the same text in SQL and Python.
        assert (kind, fld) in FREE_TEXT or bad is None, (path, bad)
        accepted.append(learned.program)
    assert refused > 300
    cols = ["u", "d", "c"]
    df = spark.createDataFrame(ROWS, "u string, d string, c string")
    exprs = [F.expr(p.sql(cols)).alias(f"p{i}") for i, p in enumerate(accepted)]
    got = df.select(*exprs).collect()
    for r, row in zip(got, ROWS):
        for i, p in enumerate(accepted):
            assert r[f"p{i}"] == p.run(row), (p.explain(cols), row)
    assert any(BREAKOUT in (r[f"p{i}"] or "") for r in got for i in range(len(accepted)))


def test_a_filter_condition_that_runs_java_is_refused(spark):
    from mmlspark_py.dataprep import DataPrepError, DataPrepFilter

    df = spark.createDataFrame([("java_method(x",), ("b",)], "s string")
    for cond in (
        "`java_method`('java.lang.System', 'getProperty', 'user.name') IS NOT NULL",
        "s = REFLECT('java.lang.System', 'getProperty', 'user.name')",
        "TRY_reflect('a', 'b') IS NULL",
    ):
        with pytest.raises(DataPrepError, match="condition: calls .*runs Java code"):
            DataPrepFilter(condition=cond).transform(df)
    ok = DataPrepFilter(condition="s LIKE 'java_method(%'").transform(df)
    assert [r["s"] for r in ok.collect()] == ["java_method(x"]
