"""Reading the small configuration files of jobs (job files, targets files): YAML or JSON, by extension."""

from __future__ import annotations

import json
from typing import Any


class ConfigFileError(ValueError):
    """A configuration file cannot be read or parsed; the message names the file."""


def read_config_file(path: str) -> Any:
    """The parsed content of a ``.json`` file, or of a YAML file (any other extension; needs PyYAML)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ConfigFileError(f"cannot read {path!r}: {e}") from e
    if path.endswith(".json"):
        try:
            return json.loads(text)
        except ValueError as e:
            raise ConfigFileError(f"{path}: not valid JSON: {e}") from e
    try:
        import yaml
    except ImportError as e:
        raise ConfigFileError(f"{path}: YAML files need PyYAML (pip install pyyaml); or write it as .json") from e
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigFileError(f"{path}: not valid YAML: {e}") from e
