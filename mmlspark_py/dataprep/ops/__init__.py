"""The operators of the program language: atoms (pieces of output) and predicates (branch conditions).

Each module defines one operator class implementing the protocol of ``base`` (evaluate, explain, compile
to SQL, propose candidates, cost). ``ATOMS`` and ``PREDICATES`` list them in proposal order; a new
operator is one module plus its line here.
"""

from .affix import Affix
from .base import Atom, Context, Edge, Example, Predicate, Row
from .compare import NumberBelow, one_number_columns
from .const import Const
from .date_format import DateFormat
from .dates import DateTime
from .initials import Initials
from .number import Number
from .predicates import HasToken, IsNull
from .scientific import Scientific
from .substring import SubStr

ATOMS = (Const, SubStr, Initials, Number, Scientific, DateTime, DateFormat)
PREDICATES = (HasToken, NumberBelow, Affix)

__all__ = [
    "Atom",
    "Predicate",
    "Context",
    "Edge",
    "Row",
    "Example",
    "Const",
    "SubStr",
    "Initials",
    "Number",
    "DateTime",
    "DateFormat",
    "Scientific",
    "HasToken",
    "IsNull",
    "NumberBelow",
    "one_number_columns",
    "Affix",
    "ATOMS",
    "PREDICATES",
]
