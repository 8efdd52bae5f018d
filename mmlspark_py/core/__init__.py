"""Shared machinery of every mmlspark-py stage; imports nothing from the area packages.

- :mod:`.spec`: typed, validated, JSON-serialisable step specifications.
- :mod:`.params`: param kinds, converters and shared param mixins.
- :mod:`.persistence`: save/load of Python stages, alone and in Pipelines, without pickling.
- :mod:`.stage`: the Transformer/Estimator/Model base classes (keyword init, accessors, transformSchema).
- :mod:`.batching`: Arrow-batched execution of Python code over columns.
- :mod:`.model_cache`: per-worker cache of loaded models; payloads broadcast once.
- :mod:`.image_schema`: Spark's image struct and numpy/Arrow conversion.
- :mod:`.session`: :func:`get_spark`.
"""
