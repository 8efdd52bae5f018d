"""Base classes of every mmlspark-py stage: Transformer, Estimator and Model.

They add to pyspark.ml's classes what every stage here shares:

* keyword construction: ``Stage(inputCol="x", outputCol="y")`` and ``stage.setParams(...)``; an unknown
  keyword is a TypeError that lists the valid params;
* generated ``setX``/``getX`` accessors for every param the class declares (setters return ``self``);
* persistence through :mod:`mmlspark_py.core.persistence` (save/load alone and inside Pipelines);
* ``transformSchema(schema)``: the exact output schema, computed without running anything; ``transform``
  and ``fit`` call it first, so a missing or mistyped column fails in the driver with a clear message.

A stage is written like this::

    class Upper(Transformer, HasInputCol, HasOutputCol):
        '''Upper-cases ``inputCol`` (string) into ``outputCol`` (string).'''
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._setDefault(outputCol=f"{self.uid}_output")
        def transformSchema(self, schema):
            require_column(schema, self.getInputCol(), StringType())
            return add_field(schema, StructField(self.getOutputCol(), StringType(), True))
        def _transform(self, df):
            return df.withColumn(self.getOutputCol(), F.upper(column(self.getInputCol())))
"""

from __future__ import annotations

import copy
import inspect
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional

from pyspark import ml
from pyspark.ml.param import Param, Params
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, StructField, StructType

from mmlspark_py.core import events
from mmlspark_py.core.params import NO_DEFAULT, Computed, StageListParam, StageParam, declared_default, type_name
from mmlspark_py.core.persistence import StageReadable, StageWritable


class SchemaError(ValueError):
    """A DataFrame lacks a column a stage needs, or has it with the wrong type, or would lose one."""


def column(name: str) -> Column:
    """A column by its exact name, even when the name contains dots, spaces or backticks."""
    return F.col("`" + name.replace("`", "``") + "`")


def require_column(schema: StructType, name: str, *types: DataType, param: str = "inputCol") -> StructField:
    """The field ``name`` of ``schema``; raises SchemaError naming the param, the column and the valid types."""
    if name not in schema.names:
        raise SchemaError(f"{param}: column {name!r} does not exist; columns are {schema.names}")
    field = schema[name]
    if types and not any(_same_type(field.dataType, t) for t in types):
        expected = " or ".join(t.simpleString() for t in types)
        raise SchemaError(f"{param}: column {name!r} has type {field.dataType.simpleString()}, expected {expected}")
    return field


def _same_type(actual: DataType, expected: DataType) -> bool:
    """Type equality ignoring nullability and metadata of nested fields."""
    if isinstance(actual, StructType) and isinstance(expected, StructType):
        return [(f.name, f.dataType.simpleString()) for f in actual] == [
            (f.name, f.dataType.simpleString()) for f in expected
        ]
    return actual.simpleString() == expected.simpleString()


def add_field(schema: StructType, field: StructField, param: str = "outputCol") -> StructType:
    """``schema`` plus ``field`` at the end; raises SchemaError if a column of that name exists already."""
    if field.name in schema.names:
        raise SchemaError(f"{param}: output column {field.name!r} already exists; choose another name")
    return StructType(list(schema.fields) + [field])


def add_fields(schema: StructType, fields: Iterable[StructField], param: str = "outputCol") -> StructType:
    """``schema`` plus each of ``fields``, in order (see :func:`add_field`)."""
    for field in fields:
        schema = add_field(schema, field, param)
    return schema


def _accessor_name(prefix: str, param_name: str) -> str:
    return prefix + param_name[0].upper() + param_name[1:]


def _make_getter(name: str) -> Callable[[Params], Any]:
    def getter(self: Params) -> Any:
        return self.getOrDefault(name)

    getter.__doc__ = f"Gets the value of ``{name}`` or its default."
    return getter


def _make_setter(name: str) -> Callable[[Params, Any], Params]:
    def setter(self: Params, value: Any) -> Params:
        return self._set(**{name: value})

    setter.__doc__ = f"Sets ``{name}``; returns this stage."
    return setter


def _doc_default(param: Param, cls: type) -> str:
    default = declared_default(param)
    if default is NO_DEFAULT:
        return ""
    return f" Default: ``{default!r}``."


def _class_params(cls: type) -> List[Param]:
    """The params a stage class declares or inherits, by name."""
    found: Dict[str, Param] = {}
    for attr in dir(cls):
        value = getattr(cls, attr, None)
        if isinstance(value, Param):
            found[value.name] = value
    return [found[name] for name in sorted(found)]


_GENERATED = "\n\n    Args:\n"


def _args_section(cls: type, params: List[Param]) -> str:
    lines = []
    for param in params:
        doc = " ".join(param.doc.split())
        lines.append(f"        {param.name} ({type_name(param)}): {doc}.{_doc_default(param, cls)}".replace("..", "."))
    return _GENERATED + "\n".join(lines) + "\n"


def _signature(params: List[Param], with_self: bool) -> inspect.Signature:
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)] if with_self else []
    for param in params:
        default = declared_default(param)
        parameters.append(
            inspect.Parameter(
                param.name, inspect.Parameter.KEYWORD_ONLY, default=None if default is NO_DEFAULT else default
            )
        )
    return inspect.Signature(parameters)


class StageParams(Params):
    """Keyword construction, generated accessors, signature and docs, and ``transformSchema``.

    Shared by the three base classes. For each subclass, from its params' declarations
    (:func:`mmlspark_py.core.params.declare`): ``getX``/``setX`` accessors, the keyword signature of the class
    and of ``setParams``, and the ``Args:`` section of its docstring; every new instance gets the declared
    defaults.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        params = _class_params(cls)
        for param in params:
            for prefix, make in (("get", _make_getter), ("set", _make_setter)):
                accessor = _accessor_name(prefix, param.name)
                if not hasattr(cls, accessor):
                    setattr(cls, accessor, make(param.name))
        cls.__signature__ = _signature(params, with_self=False)  # type: ignore[attr-defined]
        if "setParams" not in cls.__dict__:

            def setParams(self: StageParams, **kw: Any) -> StageParams:
                return StageParams.setParams(self, **kw)

            setParams.__doc__ = StageParams.setParams.__doc__
            setParams.__signature__ = _signature(params, with_self=True)  # type: ignore[attr-defined]
            cls.setParams = setParams  # type: ignore[method-assign]
        own = cls.__dict__.get("__doc__") or ""
        if _GENERATED not in own:
            cls.__doc__ = own.rstrip() + _args_section(cls, params)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        defaults = {}
        for param in self.params:
            default = declared_default(param)
            if default is NO_DEFAULT:
                continue
            defaults[param.name] = default.fn(self) if isinstance(default, Computed) else copy.deepcopy(default)
        if defaults:
            self._setDefault(**defaults)
        self.setParams(**kwargs)

    def setParams(self, **kwargs: Any) -> StageParams:
        """Sets any of this stage's params by name (None values are ignored); returns this stage."""
        unknown = [k for k in kwargs if not self.hasParam(k)]
        if unknown:
            valid = sorted(p.name for p in self.params)
            raise TypeError(f"{type(self).__name__} has no param(s) {unknown}; valid params: {valid}")
        return self._set(**{k: v for k, v in kwargs.items() if v is not None})

    def _convert(self, param: Param, value: Any) -> Any:
        try:
            return param.typeConverter(value)
        except (TypeError, ValueError) as e:
            raise type(e)(f'{type(self).__name__}: invalid value for param "{param.name}": {e}') from None

    def _set(self, **kwargs: Any) -> Any:
        """Sets params by name, each value validated by its param's converter; errors name the param."""
        for name, value in kwargs.items():
            param = self.getParam(name)
            self._paramMap[param] = None if value is None else self._convert(param, value)
        return self

    def set(self, param: Param, value: Any) -> None:
        """Sets ``param`` to ``value`` (validated by the param's converter; errors name the param)."""
        self._shouldOwn(param)
        self._paramMap[param] = self._convert(param, value)

    def copy(self, extra: Optional[dict] = None) -> StageParams:
        """A copy with the same uid whose params (nested stages included) are independent of this stage's."""
        that = super().copy(extra)
        for param in self.params:
            for section in (that._paramMap, that._defaultParamMap):
                value = section.get(that.getParam(param.name)) if that.hasParam(param.name) else None
                if isinstance(param, StageParam) and value is not None and not (extra and param in extra):
                    section[that.getParam(param.name)] = value.copy()
                elif isinstance(param, StageListParam) and value is not None and not (extra and param in extra):
                    section[that.getParam(param.name)] = [v.copy() for v in value]
        return that

    if TYPE_CHECKING:  # the generated getX/setX accessors, for type checkers

        def __getattr__(self, name: str) -> Any: ...

    def transformSchema(self, schema: StructType) -> StructType:
        """The schema ``transform`` (or the fitted model's ``transform``) produces for input ``schema``."""
        raise NotImplementedError(f"{type(self).__name__} must implement transformSchema")

    def _with_params(self, params: Optional[dict]) -> StageParams:
        return self.copy(params) if params else self


class Transformer(StageParams, ml.Transformer, StageReadable, StageWritable):
    """Base of mmlspark-py transformers: implement ``transformSchema`` and ``_transform``."""

    def transform(self, dataset: DataFrame, params: Optional[dict] = None) -> DataFrame:
        stage = self._with_params(params)
        stage.transformSchema(dataset.schema)
        return stage._transform(dataset)


class Model(Transformer, ml.Model):
    """Base of fitted models: a Transformer that an Estimator returns."""


class Estimator(StageParams, ml.Estimator, StageReadable, StageWritable):
    """Base of mmlspark-py estimators: implement ``transformSchema`` (of the fitted model) and ``_fit``."""

    def fit(self, dataset: DataFrame, params: Any = None) -> Any:
        if isinstance(params, (list, tuple)):
            return super().fit(dataset, params)
        stage = self._with_params(params)
        stage.transformSchema(dataset.schema)
        started = time.perf_counter()
        model = stage._fit(dataset)
        events.emit("fit", stage=stage, dataset=dataset, model=model, seconds=time.perf_counter() - started)
        return model
