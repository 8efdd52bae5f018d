"""Errors of the model registry; each message names the model, version or alias, and what exists."""

from __future__ import annotations


class RegistryError(RuntimeError):
    """A registry operation failed."""


class ModelNotFound(RegistryError, LookupError):
    """No registered model, version or alias of that name; the message lists what exists."""


class ModelLoadError(RegistryError):
    """A registered model's artifact is missing, corrupt, or names a stage class that may not be loaded."""
