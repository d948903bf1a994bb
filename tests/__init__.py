"""gridbot's tests, laid out like the packages they test; tests.support holds what they share."""

import pytest

# The helpers assert too (code_of, World.pushed…): rewrite them so a failure shows the values.
pytest.register_assert_rewrite("tests.support")
