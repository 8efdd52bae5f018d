#!/usr/bin/env bash
# Smoke suite on pyspark 3.5: the stage harness for every stage, the quickstart, the JVM companion (its
# Scala 2.12 jar), the batching paths Spark 3.5 takes (mapInArrow, pandas UDFs) with the images they read, and
# data preparation's SQL against its interpreter (the fast differential tests), in a second virtualenv.
#
# The second venv holds the newest pyspark 3.5.x, pandas < 3 (what Spark 3.5 supports) and this package, and
# sees every other dependency (onnxruntime, TensorFlow, MLflow, tokenizers, pytest, ...) through a .pth line
# pointing at the calling environment's site-packages, placed AFTER its own: so pyspark, py4j, pandas and numpy
# come from the 3.5 venv and nothing multi-gigabyte is installed twice. Run it with the test environment
# active (CI: after the README's test command), from anywhere:
#
#     bash .ci/smoke_spark35.sh            # SMOKE35_VENV=/path reuses (or creates) a venv there
#
# Exit status: pytest's (0 when every smoke test passed).
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_PYTHON=${PYTHON:-python}
VENV=${SMOKE35_VENV:-"$(mktemp -d)/venv35"}
started=$(date +%s)

if [ ! -x "$VENV/bin/python" ]; then
  "$BASE_PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pyspark>=3.5,<3.6" "pandas<3"
base_site=$("$BASE_PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
own_site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$base_site" > "$own_site/zz_mmlspark_base_env.pth"
# The package itself, as a user installs it (dependencies are already satisfied through the base environment).
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps .

"$VENV/bin/python" - <<'PY'
import pandas, pyspark
assert pyspark.__version__.startswith("3.5."), pyspark.__version__
assert int(pandas.__version__.split(".")[0]) < 3, pandas.__version__
print(f"smoke on pyspark {pyspark.__version__}, pandas {pandas.__version__}")
PY
echo "venv ready in $(( $(date +%s) - started )) s"

# Driver and executors both run the checkout's code (PYTHONPATH reaches Spark's Python workers).
export PYSPARK_PYTHON="$VENV/bin/python" PYSPARK_DRIVER_PYTHON="$VENV/bin/python" PYTHONPATH="$PWD" MMLSPARK_HARNESS_ONE_PER_CLASS=1
"$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/test_stage_harness.py tests/jobs/test_quickstart.py \
  tests/deploy/test_spark_versions.py tests/deploy/test_session_io.py tests/jvm \
  tests/core/test_batching.py tests/image/test_file_images.py \
  tests/dataprep/test_sql_differential.py \
  --deselect tests/dataprep/test_sql_differential.py::test_every_operator_variant \
  --deselect tests/dataprep/test_sql_differential.py::test_learned_programs "$@"
