import pytest

from mmlspark_py.core.params import to_dict_string, to_fraction, to_one_of, to_positive_int
from tests.core.toy_stages import Add, LengthPlus


def test_generated_accessors_and_keyword_construction():
    stage = LengthPlus(inputCol="text", ops=[{"kind": "add", "amount": 2}])
    assert stage.getInputCol() == "text" and stage.getOutputCol() == "length"
    assert stage.getOps() == (Add(2),)
    assert stage.setMiniBatchSize(7) is stage and stage.getMiniBatchSize() == 7
    assert "Sets ``miniBatchSize``" in LengthPlus.setMiniBatchSize.__doc__


def test_unknown_keyword_lists_valid_params():
    with pytest.raises(TypeError, match=r"no param\(s\) \['inputcol'\]; valid params: \[.*'inputCol'"):
        LengthPlus(inputcol="x")


def test_converters_reject_bad_values_at_set_time():
    with pytest.raises(ValueError):
        LengthPlus(miniBatchSize=0)
    with pytest.raises(TypeError, match="entry 'a': 1"):
        to_dict_string({"a": 1})
    with pytest.raises(ValueError, match=r"not one of \['CPU', 'CUDA'\]"):
        to_one_of(["CPU", "CUDA"])("TPU")
    assert to_one_of(["CPU", "CUDA"], case_insensitive=True)("cuda") == "CUDA"
    assert to_positive_int(3.0) == 3
    with pytest.raises(ValueError):
        to_fraction(0)
