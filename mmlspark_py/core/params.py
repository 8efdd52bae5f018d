"""Param types, converters and shared param mixins.

Every stage declares its params as class attributes, as pyspark.ml does. This module adds:

* converters that validate when a param is *set* (so bad values fail where the user wrote them):
  :func:`to_dict_string`, :func:`to_positive_int`, :func:`to_one_of`, :func:`to_spec_list`, ...;
* param kinds that :mod:`mmlspark_py.core.persistence` saves specially, never by pickling:
  :class:`SpecParam`/:class:`SpecListParam` (typed specs, saved as JSON), :class:`BytesParam` (a binary payload,
  saved as its own file), :class:`StageParam`/:class:`StageListParam` (nested stages, saved as sub-folders);
* the shared param mixins, one per param (``HasInputCol``, ``HasErrorCol``, ``HasMiniBatchSize``, ...). pyspark's
  own shared mixins are re-exported so there is one place to import them from.

Setters and getters (``setInputCol``/``getInputCol``) are generated for every param by the stage base classes
in :mod:`mmlspark_py.core.stage`, so mixins declare only the param itself.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Type

from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import (  # noqa: F401  (re-exported shared mixins)
    HasFeaturesCol,
    HasInputCol,
    HasInputCols,
    HasLabelCol,
    HasOutputCol,
    HasOutputCols,
    HasPredictionCol,
    HasProbabilityCol,
    HasRawPredictionCol,
    HasSeed,
    HasWeightCol,
)

from mmlspark_py.core.spec import Spec

__all__ = [
    "Param", "Params", "TypeConverters", "Spec",
    "SpecParam", "SpecListParam", "BytesParam", "StageParam", "StageListParam", "JsonParam",
    "to_dict_string", "to_json_value", "to_positive_int", "to_non_negative_int", "to_one_of", "to_fraction",
    "to_optional_string", "to_list_list_float", "to_bytes",
    "HasInputCol", "HasOutputCol", "HasInputCols", "HasOutputCols", "HasLabelCol", "HasFeaturesCol",
    "HasPredictionCol", "HasProbabilityCol", "HasRawPredictionCol", "HasSeed", "HasWeightCol",
    "HasErrorCol", "HasMiniBatchSize", "HasImageCol",
]


# ----------------------------------------------------------------------------------------------- converters
def to_dict_string(value: Any) -> Dict[str, str]:
    """A mapping of string to string (e.g. ``feedDict``); raises TypeError naming the offending entry."""
    if not isinstance(value, dict):
        raise TypeError(f"expected a dict of str -> str, got {type(value).__name__}")
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(f"expected a dict of str -> str; entry {k!r}: {v!r} is not")
    return dict(value)


def to_json_value(value: Any) -> Any:
    """Any plain-JSON value (dict/list/str/number/bool/None), checked recursively; tuples become lists."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"JSON object keys must be strings, got {list(value)!r}")
        return {k: to_json_value(v) for k, v in value.items()}
    raise TypeError(f"expected a plain JSON value, got {type(value).__name__}: {value!r}")


def to_positive_int(value: Any) -> int:
    """An integer > 0."""
    out = TypeConverters.toInt(value)
    if out <= 0:
        raise ValueError(f"expected a positive integer, got {value!r}")
    return out


def to_non_negative_int(value: Any) -> int:
    """An integer >= 0."""
    out = TypeConverters.toInt(value)
    if out < 0:
        raise ValueError(f"expected an integer >= 0, got {value!r}")
    return out


def to_fraction(value: Any) -> float:
    """A float in (0, 1]."""
    out = TypeConverters.toFloat(value)
    if not 0.0 < out <= 1.0:
        raise ValueError(f"expected a number in (0, 1], got {value!r}")
    return out


def to_optional_string(value: Any) -> Optional[str]:
    """A string, or None."""
    return None if value is None else TypeConverters.toString(value)


def to_list_list_float(value: Any) -> List[List[float]]:
    """A list of lists of floats."""
    return [TypeConverters.toListFloat(v) for v in TypeConverters.toList(value)]


def to_bytes(value: Any) -> bytes:
    """Bytes (bytes, bytearray or memoryview)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"expected bytes, got {type(value).__name__}")


def to_one_of(choices: Iterable[str], case_insensitive: bool = False) -> Callable[[Any], str]:
    """A converter accepting only the given strings; the error lists the valid choices."""
    allowed = tuple(choices)
    lookup = {c.lower(): c for c in allowed} if case_insensitive else {c: c for c in allowed}

    def convert(value: Any) -> str:
        text = TypeConverters.toString(value)
        key = text.lower() if case_insensitive else text
        if key not in lookup:
            raise ValueError(f"{value!r} is not one of {list(allowed)}")
        return lookup[key]

    return convert


# --------------------------------------------------------------------------------------- param kinds
class JsonParam(Param):
    """A param whose value is saved in the stage's JSON metadata through :meth:`to_json`."""

    def to_json(self, value: Any) -> Any:
        return value


class SpecParam(JsonParam):
    """A param holding one typed :class:`~mmlspark_py.core.spec.Spec` of ``family``."""

    def __init__(self, parent: Any, name: str, doc: str, family: Type[Spec]):
        super().__init__(parent, name, doc, typeConverter=family.from_json)
        self.family = family

    def to_json(self, value: Any) -> Any:
        return value.to_json()


class SpecListParam(JsonParam):
    """A param holding a list of typed specs of ``family`` (stored as a tuple: specs are immutable)."""

    def __init__(self, parent: Any, name: str, doc: str, family: Type[Spec]):
        super().__init__(parent, name, doc, typeConverter=lambda v: tuple(family.from_json(x) for x in v))
        self.family = family

    def to_json(self, value: Any) -> Any:
        return [v.to_json() for v in value]


class BytesParam(Param):
    """A binary payload (e.g. a model); persistence saves it as its own file, never inside the JSON."""

    def __init__(self, parent: Any, name: str, doc: str):
        super().__init__(parent, name, doc, typeConverter=to_bytes)


def _to_stage(value: Any) -> Any:
    from pyspark.ml.base import Estimator, Transformer

    if not isinstance(value, (Estimator, Transformer)):
        raise TypeError(f"expected a Spark ML stage (Estimator or Transformer), got {type(value).__name__}")
    return value


class StageParam(Param):
    """A nested Spark ML stage (ours or Spark's own); persistence saves it in a sub-folder."""

    def __init__(self, parent: Any, name: str, doc: str):
        super().__init__(parent, name, doc, typeConverter=_to_stage)


class StageListParam(Param):
    """A list of nested Spark ML stages; persistence saves each in its own sub-folder."""

    def __init__(self, parent: Any, name: str, doc: str):
        super().__init__(parent, name, doc, typeConverter=lambda v: [_to_stage(s) for s in v])


# ----------------------------------------------------------------------------------------- shared mixins
class HasErrorCol(Params):
    """``errorCol``: the column that receives the reason a row failed (null when it did not)."""

    errorCol = Param(Params._dummy(), "errorCol", "column receiving the per-row error message (null when the "
                     "row succeeded)", typeConverter=TypeConverters.toString)

    def __init__(self) -> None:
        super().__init__()


class HasMiniBatchSize(Params):
    """``miniBatchSize``: rows per batch handed to Python/native code; bounds memory per task."""

    miniBatchSize = Param(Params._dummy(), "miniBatchSize", "number of rows processed together in one batch; "
                          "memory per task is proportional to it", typeConverter=to_positive_int)

    def __init__(self) -> None:
        super().__init__()


class HasImageCol(Params):
    """``imageCol``: a column holding Spark's image struct."""

    imageCol = Param(Params._dummy(), "imageCol", "column holding images (Spark's image struct)",
                     typeConverter=TypeConverters.toString)

    def __init__(self) -> None:
        super().__init__()


def params_of(kind: Type[Param], stage: Params) -> Sequence[Param]:
    """The params of ``stage`` that are instances of ``kind``."""
    return [p for p in stage.params if isinstance(p, kind)]
