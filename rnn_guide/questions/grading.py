"""The otter-grader plugin that grades every submission in one framework.

A student may have set ``framework = 'jax'`` in the notebook, while the grading environment has only
PyTorch (or the other way round). The autograder zip that ``scripts/assign_notebooks.py`` writes
names this plugin in its ``otter_config.json``::

    {"plugins": [{"rnn_guide.questions.grading.GradeInFramework": {"framework": "pytorch"}}]}

Before otter executes a submission, the plugin puts one code cell first that sets
``RNN_GUIDE_FRAMEWORK`` (which wins over the notebook's flag, ``rnn_guide._config``), and names
the ``python3`` kernel, so a notebook saved from a kernel of another name still runs. The same zip
works with ``otter run`` (the plugin is imported from the grader's own environment) and in otter's
Docker image or on Gradescope (where the zip installs rnn_guide from its wheel). Nothing else in
the submission changes.
"""

from .._config import ENV_VAR, canonical_name
from ..errors import RNNGuideError

__all__ = ["GradeInFramework"]


class GradeInFramework:
    """otter-grader plugin: run the submission with ``RNN_GUIDE_FRAMEWORK`` set to one framework.

    Args:
        submission_path: the submission being graded (otter passes it; unused).
        submission_metadata: Gradescope's metadata (otter passes it; unused).
        plugin_config: ``{"framework": "pytorch"}`` (any name :func:`rnn_guide.use` accepts).

    Raises:
        RNNGuideError: the configuration names no framework, or one rnn_guide does not know.
    """

    def __init__(self, submission_path, submission_metadata, plugin_config):
        if not isinstance(plugin_config, dict) or "framework" not in plugin_config:
            raise RNNGuideError(
                f"GradeInFramework needs a config like {{'framework': 'pytorch'}}, received {plugin_config!r}"
            )
        self.framework = canonical_name(plugin_config["framework"])

    def setup_source(self):
        """The code run before the submission's first cell."""
        return (
            "# added by the grader (rnn_guide.questions.grading): grade in one framework\n"
            f"import os\nos.environ[{ENV_VAR!r}] = {self.framework!r}"
        )

    def before_execution(self, submission):
        """otter's hook: the submission with the framework cell first (a notebook or a script)."""
        if isinstance(submission, str):  # a .py submission
            return self.setup_source() + "\n" + submission
        import nbformat  # otter is running, so nbformat is installed

        submission.cells.insert(0, nbformat.v4.new_code_cell(self.setup_source()))
        submission.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        return submission
