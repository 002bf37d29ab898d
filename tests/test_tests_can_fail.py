"""Every assertion in the test suite can fail: none is `assert True`, `assert ... or True`,
or an assertion of a tuple (always true: `assert (x == y, "message")`)."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def always_true(test: ast.expr) -> bool:
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, (ast.Tuple, ast.List)):
        return bool(test.elts)
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return any(always_true(value) for value in test.values)
    return False


def assertions_that_cannot_fail(source: str) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Assert) and always_true(node.test)]


def test_the_scan_finds_assertions_that_cannot_fail():
    assert assertions_that_cannot_fail("assert x < 256 or True\nassert True\nassert (a == b, 'm')\n"
                                       "assert x\nassert x or y\n") == [1, 2, 3]


def test_no_assertion_in_the_suite_cannot_fail():
    found = [f"{path.name}:{line}" for path in sorted(TESTS.glob("*.py"))
             for line in assertions_that_cannot_fail(path.read_text())]
    assert not found, f"assertions that can never fail: {', '.join(found)}"
