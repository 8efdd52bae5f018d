"""Run by test_companion.py in a fresh process: a session started WITHOUT the companion jar.

Prints one JSON line: what PageSplitter gave on the Python path, the warning logged, then the same after
add_to_session(spark) (the one line the warning tells the user).
"""

import json
import logging

from pyspark.sql import SparkSession

from mmlspark_py.core import jvm_companion
from mmlspark_py.featurize.text import PageSplitter


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


handler = Collect()
logging.getLogger("mmlspark_py").addHandler(handler)
logging.getLogger("mmlspark_py").setLevel(logging.INFO)
spark = (
    SparkSession.builder.master("local[1]")
    .config("spark.ui.enabled", "false")
    .config("spark.driver.extraJavaOptions", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1")
    .getOrCreate()
)
df = spark.createDataFrame([("ab cd ef gh",)], "text string")
stage = PageSplitter(inputCol="text", outputCol="pages", maximumPageLength=5, minimumPageLength=3)
before = stage.transform(df)
result = {
    "before_plan_uses": "mmlspark_py_page_split" in before._jdf.queryExecution().analyzed().toString(),
    "before": before.head().pages,
    "warnings": list(handler.lines),
}
added = jvm_companion.add_to_session(spark)
after = stage.transform(df)
result.update(
    added=added is not None,
    after=after.head().pages,
    after_plan_uses="mmlspark_py_page_split" in after._jdf.queryExecution().analyzed().toString(),
)
print("RESULT " + json.dumps(result))
spark.stop()
