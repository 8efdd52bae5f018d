import pytest

from mmlspark_py.core.spec import SpecError
from tests.core.toy_stages import Add, Op, Scale


def test_round_trip_through_json_and_family_lookup():
    ops = [Add(3), Scale(4, ("a", "b"))]
    assert [Op.from_json(o.to_json()) for o in ops] == [Add(3), Scale(4, ["a", "b"])]
    assert Add(3).to_json() == {"kind": "add", "amount": 3}
    assert set(Op.kinds()) == {"add", "scale"}


def test_validation_fails_when_built():
    with pytest.raises(SpecError, match="amount must be > 0"):
        Add(0)


def test_unknown_kind_and_fields_are_named():
    with pytest.raises(SpecError, match=r"unknown Op kind 'mul'; known kinds: \['add', 'scale'\]"):
        Op.from_json({"kind": "mul"})
    with pytest.raises(SpecError, match="no field"):
        Op.from_json({"kind": "add", "amount": 1, "bogus": 2})
    with pytest.raises(SpecError, match="with a 'kind' key"):
        Op.from_json([1, 2])
