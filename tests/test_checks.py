"""rnn_guide.checks: the messages a student sees, for answers from every backend."""

import re

import numpy as np
import pytest

import rnn_guide
from rnn_guide import checks, questions
from rnn_guide.errors import RNNGuideError


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
    assert fail(checks.shape, "H", H, (2, 3)) == "H has shape (2, 4); expected shape (2, 3)"
    assert fail(checks.close, "H", H, np.zeros((2, 3))) == "H has shape (2, 4); expected shape (2, 3)"
    assert fail(checks.shape, "H_shape", (4, 2), (2, 4)) == "H_shape has shape (4, 2); expected shape (2, 4)"


def test_a_wrong_value_says_where_and_by_how_much(backend):
    H = backend.tensor(np.array([[0.0, 1.0], [2.0, 3.5]]))
    message = fail(checks.close, "H", H, np.array([[0.0, 1.0], [2.0, 3.0]]))
    assert message == "H is off by up to 0.5 (17% relative) at index (1, 1)"
    assert fail(checks.close, "H", H, np.array([[0.0, 1.0], [2.0, 3.4999]]), atol=0) == (
        "H is off by up to 0.0001 (under 1% relative) at index (1, 1)"
    )
    assert (
        fail(checks.close, "b", backend.tensor(np.array([0.2])), np.zeros(1))
        == "b is off by up to 0.2 at index (0,)"
    )
    assert fail(checks.number, "ppl", 25.1, 27.9) == "ppl is 25.1, off by 10% relative"
    assert fail(checks.number, "loss", 0.25, 0.0) == "loss is 0.25, off by 0.25"
    assert fail(checks.equal, "output_dim", 27, 28) == "output_dim is 27, not the expected value"
    assert "contains NaN" in fail(checks.close, "H", backend.tensor(np.array([np.nan])), np.zeros(1))
    assert "expected a finite number" in fail(checks.number, "ppl", float("inf"), 27.9)


@pytest.mark.parametrize(
    "check, received, expected",
    [
        (checks.close, np.array([[0.0, 2.4356]]), np.array([[0.0, 2.43548]])),
        (checks.close, np.array([1.5, -7.25]), np.array([1.5, 11.4213])),
        (checks.number, 2.28604, 2.43548),
        (checks.number, 11.0, 11.4213),
        (checks.equal, 27, 28),
        (checks.equal, "machin", "achine"),
        (checks.equal, (3, 4), (4, 3)),
    ],
)
def test_no_message_prints_the_expected_value(check, received, expected):
    """Copying numbers from a message must not pass: the expected value is never in it."""
    message = fail(check, "answer", received, expected)
    assert repr(expected) not in message and str(expected) not in message
    for value in np.ravel(np.asarray(expected, dtype=object)):  # each nonzero float of a tensor
        if isinstance(value, float) and value:
            for text in (repr(value), f"{value:.6g}", f"{value:.3g}"):
                assert text not in message, f"{message!r} shows the expected {text!r}"


def test_the_wrong_kind_of_answer_is_a_message_not_a_framework_error(backend):
    tensor = backend.tensor(np.zeros(3))
    assert "should be a number or a tensor; got str" in fail(checks.close, "H", "H", np.zeros(3))
    assert "should be one number" in fail(checks.number, "ppl", tensor, 1.0)
    assert "should be a tensor or a shape" in fail(checks.shape, "H", 3.5, (2, 3))
    assert fail(checks.equal, "output_dim", tensor, 28).startswith("output_dim should be of type int; got a ")
    assert fail(checks.equal, "output_dim", "28", 28) == "output_dim should be of type int; got a str"
    assert len(fail(checks.close, "H", "x" * 500, np.zeros(3))) < 120  # a long answer is cut short


def test_none_is_an_answer_and_only_the_ellipsis_is_the_placeholder(backend):
    checks.equal("state", None, None)  # None is right where None is expected
    assert (
        fail(checks.equal, "state", ..., None)
        == "state is not filled in yet: replace the ... with your answer"
    )
    assert fail(checks.close, "H", None, np.zeros(2)) == "H should be a number or a tensor; got None"
    assert fail(checks.shape, "H", None, (2, 3)) == "H should be a tensor or a shape like (2, 3); got None"


def test_equal_compares_tensors_entry_by_entry_with_their_shapes(backend):
    ids = backend.tensor(np.array([[1, 2], [3, 4]]))
    checks.equal("ids", ids, np.array([[1, 2], [3, 4]]))
    checks.equal("ids", ids, backend.tensor(np.array([[1, 2], [3, 4]])))
    assert fail(checks.equal, "ids", ids, np.array([[1, 2], [3, 5]])) == (
        "ids is wrong at index (1, 1), not the expected value"
    )
    assert (
        fail(checks.equal, "ids", ids, np.array([1, 2, 3, 4])) == "ids has shape (2, 2); expected shape (4,)"
    )


def test_nan_equals_nan_only_where_the_grader_says_so(backend):
    nan = backend.tensor(np.array([1.0, np.nan]))
    checks.equal("x", float("nan"), float("nan"), equal_nan=True)
    checks.equal("x", nan, np.array([1.0, np.nan]), equal_nan=True)
    checks.close("x", nan, np.array([1.0, np.nan]), equal_nan=True)
    checks.number("x", float("nan"), float("nan"), equal_nan=True)
    for check in (checks.equal, checks.close):  # without equal_nan, an expected NaN is the grader's mistake
        with pytest.raises(RNNGuideError, match=r"NaN.*equal_nan=True"):
            check("x", nan, np.array([1.0, np.nan]))
    assert fail(
        checks.close, "x", backend.tensor(np.array([np.nan, 2.0])), np.array([1.0, np.nan]), equal_nan=True
    ) == ("x contains NaN at index (0,); expected a finite number there")


def test_every_message_is_one_line_under_the_cap():
    long = checks.CheckFailed("raised ValueError: " + "x" * 5000 + "\nsecond line")
    assert len(str(long)) == checks.MESSAGE_LIMIT and str(long).endswith("...") and "\n" not in str(long)
    for call in (
        lambda: checks.shape("H", list(range(10**5)), (2, 3)),
        lambda: checks.equal("ids", list(range(10**5)), [1, 2]),
        lambda: checks.close("H", "x" * 10**5, np.zeros(3)),
    ):
        message = fail(call)
        assert len(message) <= checks.MESSAGE_LIMIT and "\n" not in message


# ------------------------------------------------- rnn_guide.questions: a student's function, checked
def _step(d2l):
    def rnn_step_mine(X_t, H_prev, W_xh, W_hh, b_h):
        return d2l.tanh(d2l.matmul(X_t, W_xh) + d2l.matmul(H_prev, W_hh) + b_h)

    return rnn_step_mine


def question_fails(answer, d2l, seed=0):
    with pytest.raises(checks.CheckFailed) as info:
        questions.check("q2_rnn_step", answer, d2l, seed=seed)
    message = str(info.value)
    assert "\n" not in message, message
    return message


def test_the_right_function_passes_on_every_seed(backend):
    for seed in (0, 11, 12, 13):
        questions.check("q2_rnn_step", _step(backend), backend, seed=seed)


def test_an_unknown_question_name_is_named_with_the_nearest(backend):
    with pytest.raises(RNNGuideError, match=r"no question called 'q2_rnn_stp'; did you mean 'q2_rnn_step'"):
        questions.check("q2_rnn_stp", _step(backend), backend)
    with pytest.raises(RNNGuideError, match="no question called 3"):
        questions.feedback(3, _step(backend), backend)


def test_a_function_not_written_or_returning_nothing_says_so(backend):
    def rnn_step_mine(X_t, H_prev, W_xh, W_hh, b_h): ...

    assert "rnn_step_mine is not written yet" in question_fails(..., backend)
    assert "should be a function; got a int" in question_fails(3, backend)
    assert "returned None: replace the ... with your code" in question_fails(rnn_step_mine, backend)


def test_a_function_that_raises_is_one_line_with_the_error(backend):
    def rnn_step_mine(X_t, H_prev, W_xh, W_hh, b_h):
        return d2l_matmul(X_t, W_xh)  # noqa: F821 - the student's typo

    message = question_fails(rnn_step_mine, backend)
    assert message == "rnn_step_mine(...) raised NameError: name 'd2l_matmul' is not defined"


def test_the_wrong_kind_of_result_is_named(backend):
    right = _step(backend)
    assert "should return one value; got a tuple of 2 items" in question_fails(
        lambda *args: (right(*args), right(*args)), backend
    )
    ids = question_fails(
        lambda *args: backend.tensor(np.zeros(backend.shape(right(*args)), "int32")), backend
    )
    assert re.search(r"has dtype int(32|64); expected floating-point numbers", ids), ids
    if backend.name != "numpy":  # a NumPy array in a framework's notebook: not done with d2l
        message = question_fails(lambda *args: backend.numpy(right(*args)), backend)
        assert f"should return a {backend.name} tensor (compute it with d2l's functions)" in message


def test_a_function_that_changes_its_inputs_in_place_is_told(ref):
    def rnn_step_mine(X_t, H_prev, W_xh, W_hh, b_h):
        H_prev *= 0.0  # in place: the caller's state is gone
        return np.tanh(X_t @ W_xh + b_h)

    assert question_fails(rnn_step_mine, ref) == (
        "rnn_step_mine changed its argument H_prev in place; "
        "leave the inputs as they are and return new tensors"
    )


def test_a_refused_library_function_is_named(backend):
    def rnn_step_mine(X_t, H_prev, W_xh, W_hh, b_h):
        return rnn_guide.rnn_step(X_t, H_prev, W_xh, W_hh, b_h)

    message = question_fails(rnn_step_mine, backend)
    assert "rnn_step_mine: this question asks you to write what rnn_guide.rnn_step does" in message
    rnn_guide.rnn_step(*questions.get("q2_rnn_step").inputs(backend, np.random.default_rng(0)))  # on again


def test_numbers_copied_from_the_example_fail_on_other_inputs(backend):
    q = questions.get("q2_rnn_step")
    copied = backend.numpy(q.reference(backend, *q.inputs(backend, np.random.default_rng(0))))

    def rnn_step_mine(X_t, H_prev, W_xh, W_hh, b_h):
        return backend.tensor(copied)

    questions.check("q2_rnn_step", rnn_step_mine, backend, seed=0)  # the feedback's example passes
    for seed in (11, 12, 13):  # the hidden tests' inputs do not
        message = question_fails(rnn_step_mine, backend, seed=seed)
        assert "has shape" in message or "is off by up to" in message


def test_feedback_prints_one_line_and_never_raises(backend, capsys):
    def broken(X_t, H_prev, W_xh, W_hh, b_h):
        raise ZeroDivisionError("division by zero")

    questions.feedback("q2_rnn_step", _step(backend), backend)
    questions.feedback("q2_rnn_step", broken, backend)
    questions.feedback("q2_rnn_step", _step(backend), None)  # d2l overwritten by the student
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("✓ q2_rnn_step: rnn_step_mine is right on a fresh example")
    assert lines[1] == "✗ q2_rnn_step: rnn_step_mine(...) raised ZeroDivisionError: division by zero"
    assert lines[2].startswith("✗ q2_rnn_step: the check could not run (AttributeError: ")
    assert len(lines) == 3
