"""The guide's d2l-style concatenation check runs unchanged but for one line.

The book's code is ``from d2l import <fw> as d2l``; here that line becomes
``d2l = rnn_guide.use(framework)`` and nothing else changes. (With the real
d2l 1.0.3 the last line fails in every framework: ``d2l.norm`` does not exist.)
"""

import contextlib
import io

from d2l_parity.d2l_book_code import CHECK, DRAWS  # the same code the d2l parity tests run through d2l


def run_guide_code(name):
    code = f"import rnn_guide\nd2l = rnn_guide.use({name!r})\n" + DRAWS[name] + CHECK
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"<guide code, {name}>", "exec"), {})
    return out.getvalue()


def test_guide_code_prints_true(framework):
    first = run_guide_code(framework)
    assert first == "True\n"
    assert run_guide_code(framework) == first  # seeded: the same every run
