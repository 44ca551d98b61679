"""rnn_guide.checks: the messages a student sees, for answers from every backend."""

import numpy as np
import pytest

from rnn_guide import checks


def fail(call, *args, **kwargs):
    with pytest.raises(checks.CheckFailed) as info:
        call(*args, **kwargs)
    return str(info.value)


def test_a_correct_answer_passes_every_check(backend):
    H = backend.tensor(np.arange(6.0).reshape(2, 3))
    checks.shape("H", H, (2, 3))
    checks.shape("H_shape", backend.shape(H), (2, 3))
    checks.shape("H.shape", H.shape, (2, 3))  # torch.Size, TensorShape, a tuple
    checks.close("H", H, np.arange(6.0).reshape(2, 3) + 1e-7)
    checks.number("ppl", backend.tensor(np.array(27.9)), 27.9)
    checks.equal("V", 28, 28)


def test_an_unfilled_answer_says_so(backend):
    for check, args in [(checks.shape, ((2, 3),)), (checks.close, (np.zeros(2),)), (checks.number, (1.0,))]:
        assert "H is not filled in yet" in fail(check, "H", ..., *args)


def test_a_wrong_shape_names_both_shapes(backend):
    H = backend.tensor(np.zeros((2, 4)))
    assert fail(checks.shape, "H", H, (2, 3)) == "H has shape (2, 4); expected (2, 3)"
    assert fail(checks.close, "H", H, np.zeros((2, 3))) == "H has shape (2, 4); expected (2, 3)"
    assert fail(checks.shape, "H_shape", (4, 2), (2, 4)) == "H_shape has shape (4, 2); expected (2, 4)"


def test_a_wrong_value_says_where_and_by_how_much(backend):
    H = backend.tensor(np.array([[0.0, 1.0], [2.0, 3.5]]))
    message = fail(checks.close, "H", H, np.array([[0.0, 1.0], [2.0, 3.0]]))
    assert message.startswith("H is off by up to 0.5 at index (1, 1): got 3.5, expected 3")
    assert fail(checks.number, "ppl", 25.1, 27.9) == "ppl is 25.1; expected 27.9"
    assert "contains NaN" in fail(checks.close, "H", backend.tensor(np.array([np.nan])), np.zeros(1))


def test_the_wrong_kind_of_answer_is_a_message_not_a_framework_error(backend):
    tensor = backend.tensor(np.zeros(3))
    assert "should be a number or a tensor; got str" in fail(checks.close, "H", "H", np.zeros(3))
    assert "should be one number" in fail(checks.number, "ppl", tensor, 1.0)
    assert "should be a tensor or a shape" in fail(checks.shape, "H", 3.5, (2, 3))
    assert fail(checks.equal, "output_dim", tensor, 28).startswith("output_dim is ")
    assert fail(checks.equal, "output_dim", 27, 28) == "output_dim is 27; expected 28"
