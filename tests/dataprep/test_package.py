"""Prep packages end to end: step file -> fitted pipeline -> atomic write, through the CLI entry."""

import os

import pytest

from mmlspark_py.core.atomic_output import OutputPathError
from mmlspark_py.dataprep import DataPrepError
from mmlspark_py.dataprep.cli import main
from mmlspark_py.dataprep.package import build_package, read_input, run_prep_package

STEPS = """
steps:
  - derive:
      inputCols: [name]
      outputCol: last
      examples: [[["Ada Lovelace"], "Lovelace"], [["Jonah P. Wexley"], "Wexley"]]
  - split: {inputCol: sku, outputCols: [maker, item], examples: [["ACM-00421", ["ACM", "00421"]]]}
  - fill: {inputCols: [team], value: "none"}
  - convert: {inputCols: [age], dataType: int}
  - filter: {condition: "age >= 18"}
  - select: {columns: [last, maker, item, team, age], renames: {last: surname}}
"""
CSV = (
    "name,sku,team,age\nAda Lovelace,ACM-00421,ops,36\nBo Ng,TR-88,,41\nJonah P. Wexley,ZEP-5,qa,12\n"
    "Mia Ho,QQ-1,dev,x\n"
)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "prep.yaml").write_text(STEPS)
    (tmp_path / "people.csv").write_text(CSV)
    return tmp_path


def test_prep_run_cli_writes_the_prepared_rows_atomically(spark, files):
    out = str(files / "out")
    assert (
        main(
            ["run", str(files / "prep.yaml"), "--input", str(files / "people.csv"), "--output", out, "--format", "json"]
        )
        == 0
    )
    rows = sorted(tuple(r) for r in spark.read.json(out).select("surname", "maker", "item", "team", "age").collect())
    assert rows == [("Lovelace", "ACM", "00421", "ops", 36), ("Ng", "TR", "88", "none", 41)]
    assert [p for p in os.listdir(files) if p.startswith(".out.tmp")] == []
    with pytest.raises(DataPrepError, match="exists"):
        run_prep_package(spark, str(files / "prep.yaml"), str(files / "people.csv"), out, "json")


def test_saved_package_runs_like_the_step_file(spark, files):
    df = read_input(spark, str(files / "people.csv"), "csv")
    build_package(str(files / "prep.yaml"), df, str(files / "pkg"))
    run_prep_package(
        spark, str(files / "pkg"), str(files / "people.csv"), str(files / "out2"), "parquet", input_format="csv"
    )
    assert sorted(r["surname"] for r in spark.read.parquet(str(files / "out2")).collect()) == ["Lovelace", "Ng"]


def test_bad_step_files_name_the_step(spark, files):
    (files / "bad.yaml").write_text("steps:\n  - derive: {inputCols: [name], outputCol: x, nope: 1}\n")
    with pytest.raises(DataPrepError, match="step 0 \\(derive\\).*nope"):
        run_prep_package(spark, str(files / "bad.yaml"), str(files / "people.csv"), str(files / "o"), "json")
    (files / "bad2.json").write_text('{"steps": [{"pivot": {}}]}')
    with pytest.raises(DataPrepError, match="unknown kind 'pivot'"):
        run_prep_package(spark, str(files / "bad2.json"), str(files / "people.csv"), str(files / "o"), "json")


def _rows(spark, path):
    return sorted(r["surname"] for r in spark.read.json(path).collect())


def test_a_killed_run_leaves_nothing_that_the_next_run_does_not_clean(spark, files):
    out = files / "out"
    for stale in (".out.tmp-0123456789ab", ".out.old-0123456789ab"):  # what a killed run leaves
        (files / stale).mkdir()
        (files / stale / "part-00000.json").write_text('{"surname": "stale"}\n')
    run_prep_package(spark, str(files / "prep.yaml"), str(files / "people.csv"), str(out), "json")
    assert sorted(p for p in os.listdir(files) if p.startswith(".out")) == []
    assert _rows(spark, str(out)) == ["Lovelace", "Ng"]


def test_overwrite_keeps_the_old_output_until_the_new_one_is_complete(spark, files):
    out = str(files / "out")
    run_prep_package(spark, str(files / "prep.yaml"), str(files / "people.csv"), out, "json")
    # a package whose job fails while writing (assert_true fails on a long name, at run time)
    (files / "fails.json").write_text('{"steps": [{"filter": {"condition": "assert_true(length(name) < 6) IS NULL"}}]}')
    with pytest.raises(Exception, match="length"):
        run_prep_package(spark, str(files / "fails.json"), str(files / "people.csv"), out, "json", overwrite=True)
    assert _rows(spark, out) == ["Lovelace", "Ng"]
    assert [p for p in os.listdir(files) if p.startswith(".out")] == []
    run_prep_package(spark, str(files / "prep.yaml"), str(files / "people.csv"), out, "json", overwrite=True)
    assert _rows(spark, out) == ["Lovelace", "Ng"]


def test_an_output_that_is_or_holds_the_input_is_refused_even_with_overwrite(spark, files):
    data = files / "data"
    data.mkdir()
    (data / "people.csv").write_text(CSV)
    steps = str(files / "prep.yaml")
    for output in (str(files), str(data), str(data / "people.csv"), str(data / "people.csv" / "x")):
        with pytest.raises(OutputPathError, match="input"):
            run_prep_package(spark, steps, str(data / "people.csv"), output, "json", overwrite=True)
    assert (data / "people.csv").read_text() == CSV and (files / "prep.yaml").exists()
    with pytest.raises(OutputPathError, match="input"):  # the package is an input too
        run_prep_package(spark, steps, str(data / "people.csv"), steps, "json", overwrite=True)
