"""Differential test: every learned program gives identical outputs through Spark SQL and Python.

Programs: the top 2 learned from 1 example and the top 1 from 2 and 3 examples of every dev task
(the programs the stage would run, plus the runner-up where ranking is least certain). Rows: every row of the
task plus edge rows (null, empty, Unicode, regex metacharacters, 10 KB). SQL positions are
1-based, ``locate`` returns 0 and nulls propagate: mismatches there are what this catches.
"""
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

from mmlspark_py.dataprep import NoProgramFound, learn
from mmlspark_py.dataprep.learn import LearnedProgram

from .dev_tasks import load_tasks, rows_of

EDGE = [None, "", "Ünïcödé Straße 東京 😀 x-1", "a.b*c+d?(e)[f]{g}|h^$\\i", "Łukasz Żółć, 12/3/2024",
        ("w0rd " * 2048).strip(), "   ", "2023-02-30", "12:61 PM", "-0.005", "1,2,3.4.5",
        "aBC_dEf-gH.i/jK9Lm_ÄÖx__y"]


def _programs(task):
    rows = rows_of(task)
    inputs = [r for r, _ in rows]
    progs = []
    for k, top in ((1, 2), (2, 1), (3, 1)):
        try:
            progs.extend(learn(rows[:k], inputs=inputs, k=top).topK(top))
        except NoProgramFound:
            pass
    return list(dict.fromkeys(progs))


def _inputs(task):
    rows = [r for r, _ in rows_of(task)]
    arity = len(rows[0])
    extra = [tuple(e if c == j else rows[0][c] for c in range(arity)) for e in EDGE for j in range(arity)]
    return rows + extra


def test_sql_matches_interpreter_on_every_dev_task(interpreted):
    """One DataFrame (all tasks' rows, tagged) and one job: program columns are guarded by the tag."""
    spark = interpreted
    tasks = load_tasks()
    cols = ["c0", "c1", "c2"]
    data, exprs, checks, all_inputs = [], [], [], []
    for t, task in enumerate(tasks):
        inputs = _inputs(task)
        all_inputs.append(inputs)
        progs = _programs(task)
        for i, row in enumerate(inputs):
            data.append((t, i) + row + (None,) * (3 - len(row)))
        for j, p in enumerate(progs):
            name = f"t{t}_p{j}"
            sql = LearnedProgram([p]).toSQL(cols)
            exprs.append(F.when(F.col("tid") == t, F.expr(sql)).alias(name))
            checks.append((t, name, p, task["task"]))
    schema = StructType([StructField("tid", IntegerType()), StructField("rid", IntegerType())] +
                        [StructField(c, StringType()) for c in cols])
    rows = spark.createDataFrame(data, schema).select("tid", "rid", *exprs).collect()
    by_task = {}
    for r in rows:
        by_task.setdefault(r["tid"], []).append(r)
    checked = 0
    for t, name, p, task_name in checks:
        for r in by_task[t]:
            inp = all_inputs[t][r["rid"]]
            want = p.run(inp)
            assert r[name] == want, (f"{task_name}: program {p.explain()} on {inp!r}: "
                                     f"SQL {r[name]!r} != Python {want!r}")
            checked += 1
    assert checked > 4000
