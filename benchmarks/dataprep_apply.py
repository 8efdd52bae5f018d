"""Applying learned programs: compiled Spark SQL against hand-written Spark SQL and a Python UDF.

Learns five programs with ``mmlspark_py.dataprep.learn`` (name reordering, phone formatting with a
conditional, date re-formatting, money formatting, URL host), builds N rows of generated inputs in Spark (no
driver data) and times ``df.select(program columns)`` written to the ``noop`` sink three ways, in one run:

* ours: the compiled SQL expressions (``DeriveColumnByExampleModel``'s path);
* hand: the same transformations as a person would write them in Spark SQL, one idiomatic expression each
  (``substring_index``, ``date_format``, ``format_number``, ``parse_url``...);
* udf: the interpreter in a row-at-a-time Python UDF.

First checks that all three give the same outputs on a sample. Goals: ours >= 5x the UDF, >= 0.9x hand.

    python benchmarks/dataprep_apply.py [--rows 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from pyspark.sql import functions as F
from pyspark.sql.types import StringType

from mmlspark_py.core.session import get_spark
from mmlspark_py.dataprep import learn
from mmlspark_py.dataprep.program import Program

# name: (examples, generator over `id`, hand-written Spark SQL over the column `name`)
TASKS = {
    "name": (
        [(("Marta Quillfeather",), "Quillfeather, M."), (("Jonah P. Wexley",), "Wexley, J.")],
        "concat(element_at(array('Marta','Jonah P.','Bo','Ximena N.','Søren'), cast(id % 5 AS INT) + 1),"
        " ' ', element_at(array('Quillfeather','Wexley','Ng','Poe','Łukasik'), cast(id % 7 % 5 AS INT) + 1))",
        "concat(substring_index(name, ' ', -1), ', ', left(name, 1), '.')",
    ),
    "phone": (
        [(("482-0193",), "(206) 482-0193"), (("415-739-2210",), "(415) 739-2210")],
        "CASE WHEN id % 3 = 0 THEN format_string('%03d-%04d', id % 900 + 100, id % 10000) "
        "ELSE format_string('%03d-%03d-%04d', id % 800 + 200, id % 900 + 100, id % 10000) END",
        "CASE WHEN length(phone) = 8 THEN concat('(206) ', phone) "
        "ELSE concat('(', left(phone, 3), ') ', substring(phone, 5)) END",
    ),
    "date": (
        [(("2023-04-05",), "Apr 5, 2023")],
        "date_format(date_add(DATE'2000-01-01', cast(id % 9000 AS INT)), 'yyyy-MM-dd')",
        "date_format(to_date(date, 'yyyy-MM-dd'), 'MMM d, yyyy')",
    ),
    "money": (
        [(("1234.5",), "$1,234.50")],
        "format_string('%d.%d', id % 1000003, id % 10)",
        "concat('$', format_number(round(cast(money AS DECIMAL(20, 2)), 2), 2))",
    ),
    "url": (
        [(("https://shop.lumenfield.example/cart?id=3",), "shop.lumenfield.example")],
        "concat(element_at(array('https://', 'http://'), cast(id % 2 AS INT) + 1), "
        "element_at(array('shop', 'api.eu', 'docs'), cast(id % 3 AS INT) + 1), '.x', cast(id % 97 AS STRING), "
        "'.example', element_at(array('/a/b?q=1', ':8080/', '', '?k=v'), cast(id % 4 AS INT) + 1))",
        "parse_url(url, 'HOST')",
    ),
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
    ap.add_argument("--repeats", type=int, default=2, help="timed runs of each (the best is kept)")
    args = ap.parse_args(argv)
    n = 100_000 if args.quick else args.rows
    spark = get_spark(master="local[2]", app_name="dataprep_apply")
    base = spark.range(n).select(*[F.expr(gen).alias(name) for name, (_ex, gen, _h) in TASKS.items()]).cache()
    base.count()
    sample = [tuple(r) for r in base.limit(200).collect()]
    learned = {}
    for i, (name, (examples, _gen, _hand)) in enumerate(TASKS.items()):
        learned[name] = learn(examples, inputs=[(r[i],) for r in sample], k=1)
        print(f"{name}: {learned[name].explain([name])}".replace("\n", " | "))
    ours = [F.expr(p.toSQL([name])).alias(f"{name}_out") for name, p in learned.items()]
    hand = [F.expr(h).alias(f"{name}_out") for name, (_e, _g, h) in TASKS.items()]
    udfs = [_udf(p.program)(F.col(name)).alias(f"{name}_out") for name, p in learned.items()]
    check = base.limit(5000)
    got = [check.select(*cols).collect() for cols in (ours, hand, udfs)]
    assert got[0] == got[2], "compiled SQL and the Python interpreter disagree"
    assert got[0] == got[1], "the learned programs and the hand-written SQL disagree on the sample"
    for cols in (ours, hand, udfs):  # warm-up: code generation, Python workers
        _time(base.limit(1000).select(*cols))
    t = {}
    for label, cols in (("ours", ours), ("hand", hand), ("udf", udfs)):
        t[label] = min(_time(base.select(*cols)) for _ in range(args.repeats))
    print(
        f"dataprep_apply: ratio={t['udf'] / t['ours']:.2f} (ours {n / t['ours']:,.0f} rows/s, "
        f"baseline {n / t['udf']:,.0f} rows/s; {n:,} rows x {len(learned)} programs, compiled SQL vs Python UDF)"
    )
    print(
        f"dataprep_apply_vs_hand: ratio={t['hand'] / t['ours']:.2f} (ours {n / t['ours']:,.0f} rows/s, "
        f"baseline {n / t['hand']:,.0f} rows/s; compiled SQL vs the same transformations hand-written in Spark SQL)"
    )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
