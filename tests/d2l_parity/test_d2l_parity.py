"""Every cell of the README table "d2l 1.0.3 vs rnn_guide", checked against the real d2l.

``test_row`` runs once per table row for this env's backend: a ``same`` cell compares
values on the same inputs, ``missing`` and ``defined`` look the name up, and any
other text is checked by the row's own check (``d2l_checks_ops``, ``d2l_checks_recurrence``,
``d2l_checks_data``).
The other tests keep the table complete: every d2l tensor alias and every rnn_guide
helper has a row, and every difference has a check.
"""

import ast
import inspect

from . import d2l_checks_data, d2l_checks_ops, d2l_checks_recurrence
from .d2l_checks_ops import Ctx, check_same
from .d2l_findings import ROWS
from .d2l_table import BACKENDS, DEFINED, GENERIC, MISSING, NA, OURS_NOT_HELPERS, SAME

CHECKS = {**d2l_checks_ops.CHECKS, **d2l_checks_recurrence.CHECKS, **d2l_checks_data.CHECKS}


def test_row(row, fw, d2l, ours, request):
    cell = row.cells[fw]
    assert cell != NA
    if row.names and cell in GENERIC:
        for name in row.names:
            if cell == SAME:
                check_same(Ctx(fw, d2l, ours, cell, request), name)
            elif cell == MISSING:
                assert not hasattr(d2l, name), f"d2l has {name!r}: the table says it is missing"
            else:
                assert cell == DEFINED
                assert hasattr(d2l, name), f"d2l has no {name!r}"
                assert not hasattr(ours, name), f"rnn_guide has {name!r}: the table says it does not"
    else:
        CHECKS[row.key](Ctx(fw, d2l, ours, cell, request))


def d2l_aliases(d2l):
    """The names d2l's module sets to a framework function or a lambda (``matmul = torch.matmul``)."""
    tree = ast.parse(inspect.getsource(d2l))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Attribute, ast.Lambda)):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def ours_helpers(ours):
    return {n for n in dir(ours) if not n.startswith("_")} - set(OURS_NOT_HELPERS)


def test_the_table_covers_every_name(fw, d2l, ours):
    aliases, helpers = d2l_aliases(d2l), ours_helpers(ours)
    assert {"matmul", "concat", "tanh", "zeros", "reshape"} <= aliases & helpers
    in_rows = {name: row for row in ROWS for name in row.names}
    assert sorted((aliases | helpers) - set(in_rows)) == [], "names with no row in d2l_findings.ROWS"
    for name, row in in_rows.items():
        assert (name in aliases) == (row.cells[fw] != MISSING), (name, row.cells[fw])
        assert (name in helpers) == (DEFINED not in row.cells.values()), (name, row.key)


def test_every_difference_has_a_check():
    for row in ROWS:
        assert set(row.cells) == set(BACKENDS), row.key
        needs_check = not row.names or any(cell not in GENERIC for cell in row.cells.values())
        assert not needs_check or row.key in CHECKS, f"row {row.key!r} has no check"
    assert set(CHECKS) <= {row.key for row in ROWS}
