from tests.tracking.store import mlflow_home  # noqa: F401
