#!/usr/bin/env bash
# The stage harness (every stage: params, schema, save/load alone, in a Pipeline and a PipelineModel), the
# Spark-version checks and the I/O tests, run through Spark Connect: tests/conftest.py starts a Connect server
# (its own JVM, master local[2], from the installed pyspark) and the tests' `spark` is a Connect client of it,
# with no JVM in the test process. Needs pyspark >= 4 and the `connect` extra (grpcio, grpcio-status,
# googleapis-common-protos, zstandard). Run it with the test environment active (CI: after the README's test
# command). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export MMLSPARK_TEST_REMOTE="local[2]" MMLSPARK_HARNESS_ONE_PER_CLASS=1
python -m pytest -q -p no:cacheprovider tests/test_stage_harness.py tests/deploy/test_spark_versions.py \
  tests/deploy/test_session_io.py "$@"
