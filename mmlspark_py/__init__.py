"""mmlspark-py: Spark-native distributed machine learning in Python (SynapseML's API, pip-installable)."""

from mmlspark_py.core.session import get_spark

__version__ = "0.1.0"
__all__ = ["get_spark", "__version__"]
