"""Applying learned programs: compiled Spark SQL against the same programs in a Python UDF.

Learns three programs with ``mmlspark_py.dataprep.learn`` (name reordering, phone formatting with
a conditional, date re-formatting), builds N rows of generated inputs in Spark (no driver data),
and times ``df.select(program columns)`` written to the ``noop`` sink: once with the compiled SQL
expressions (``DeriveColumnByExampleModel``'s path) and once with a row-at-a-time Python UDF
running the interpreter. Checks both give the same outputs on a sample first.

    python benchmarks/dataprep_apply.py [--rows 1000000] [--quick]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from pyspark.sql import functions as F  # noqa: E402
from pyspark.sql.types import StringType  # noqa: E402

from mmlspark_py.core.session import get_spark  # noqa: E402
from mmlspark_py.dataprep import learn  # noqa: E402
from mmlspark_py.dataprep.program import Program  # noqa: E402

TASKS = {
    "name": ([(("Marta Quillfeather",), "Quillfeather, M."), (("Jonah P. Wexley",), "Wexley, J.")],
             "concat(element_at(array('Marta','Jonah P.','Bo','Ximena N.','Søren'), cast(id % 5 AS INT) + 1),"
             " ' ', element_at(array('Quillfeather','Wexley','Ng','Poe','Łukasik'), cast(id % 7 % 5 AS INT) + 1))"),
    "phone": ([(("482-0193",), "(206) 482-0193"), (("415-739-2210",), "(415) 739-2210")],
              "CASE WHEN id % 3 = 0 THEN format_string('%03d-%04d', id % 900 + 100, id % 10000) "
              "ELSE format_string('%03d-%03d-%04d', id % 800 + 200, id % 900 + 100, id % 10000) END"),
    "date": ([(("2023-04-05",), "Apr 5, 2023")],
             "date_format(date_add(DATE'2000-01-01', cast(id % 9000 AS INT)), 'yyyy-MM-dd')"),
}


def _udf(program: Program):
    """The baseline: the interpreter in a row-at-a-time Python UDF."""
    return F.udf(lambda v: program.run((v,)), StringType())


def _time(df):
    t0 = time.perf_counter()
    df.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="100,000 rows")
    args = ap.parse_args(argv)
    n = 100_000 if args.quick else args.rows
    spark = get_spark(master="local[2]", app_name="dataprep_apply")
    base = spark.range(n).select(*[F.expr(gen).alias(name) for name, (_ex, gen) in TASKS.items()]).cache()
    base.count()
    sample = [tuple(r) for r in base.limit(200).collect()]
    learned = {}
    for i, (name, (examples, _gen)) in enumerate(TASKS.items()):
        learned[name] = learn(examples, inputs=[(r[i],) for r in sample], k=1)
        print(f"{name}: {learned[name].explain([name])}".replace("\n", " | "))
    sql_cols = [F.expr(p.toSQL([name])).alias(f"{name}_out") for name, p in learned.items()]
    udf_cols = [_udf(p.program)(F.col(name)).alias(f"{name}_out") for name, p in learned.items()]
    check_sql = base.limit(2000).select(*sql_cols).collect()
    check_udf = base.limit(2000).select(*udf_cols).collect()
    assert check_sql == check_udf, "compiled SQL and the Python interpreter disagree"
    _time(base.limit(1000).select(*sql_cols))  # warm-up: code generation, Python workers
    _time(base.limit(1000).select(*udf_cols))
    t_sql = _time(base.select(*sql_cols))
    t_udf = _time(base.select(*udf_cols))
    print(f"dataprep_apply: ratio={t_udf / t_sql:.2f} (ours {n / t_sql:,.0f} rows/s, "
          f"baseline {n / t_udf:,.0f} rows/s; {n:,} rows x {len(learned)} programs, "
          f"compiled SQL vs Python UDF)")


if __name__ == "__main__":
    main()
