"""Fixtures of the entity tests: the real NeuroNER CoNLL-2003 model converted once per test session."""

from __future__ import annotations

import os

import pytest

from mmlspark_py.text.neuroner import convert_neuroner
from tests.text.entities.tagger_fixtures import conll_path, neuroner_dir, read_conll


@pytest.fixture(scope="session")
def conll_model_path(tmp_path_factory):
    """The pretrained NeuroNER CoNLL-2003 model, converted from the installed package into a temp folder."""
    out = str(tmp_path_factory.mktemp("neuroner") / "conll_2003_en.onnx")
    convert_neuroner(os.path.join(neuroner_dir(), "trained_models", "conll_2003_en"), out)
    return out


@pytest.fixture(scope="session")
def conll_test():
    """CoNLL-2003 English test sentences [(token, tag), ...], read from the installed package."""
    return read_conll(conll_path("test"))
