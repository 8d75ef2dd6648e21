"""The W3C SHACL test suite (`tests/w3c/shacl/`, its licence beside it), every approved test run
through `giigraph.validate` with each engine; `w3c_shacl.py` reads the manifests and compares."""
from __future__ import annotations

import pytest

from w3c_shacl import FAIL, NO_ENGINE_PASSES, PASS, UNSUPPORTED, cases, run

CASES = cases()
IDS = [c.name for c in CASES]


def test_the_suite_is_complete():
    assert len(CASES) == 120  # every approved test of the suite's manifests
    assert {c.folder.split("/")[0] for c in CASES} == {"core", "sparql"}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_auto_engine(case):
    """The own engine, with pyshacl for what it does not evaluate: every test but those no engine passes."""
    status, what = run(case, "auto")
    if case.name in NO_ENGINE_PASSES:
        assert status == FAIL and what.startswith("refused"), what  # a clean error, never a wrong report
    else:
        assert status == PASS, what


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fast_engine_passes_or_says_unsupported(case):
    """No fallback: the right report, or `Unsupported`, never a wrong report; and today it evaluates
    every test but those no engine passes."""
    status, what = run(case, "fast")
    assert status in (PASS, UNSUPPORTED), what
    assert status == (UNSUPPORTED if case.name in NO_ENGINE_PASSES else PASS), what


@pytest.mark.parametrize("name", sorted(NO_ENGINE_PASSES))
def test_no_engine_passes_these_tests(name):
    """Listed with why; pyshacl fails them too (if it starts passing one, the list must shrink)."""
    case = next(c for c in CASES if c.name == name)
    assert run(case, "pyshacl")[0] == FAIL


@pytest.mark.parametrize("name", ["sparql/node/prefixes-001", "sparql/pre-binding/unsupported-sparql-005"])
def test_the_pyshacl_path_keeps_prefixes_and_turns_its_failures_into_errors(name):
    """pyshacl reads the shapes with the prefixes their file declared, and the failure object it
    returns for forbidden SPARQL becomes `ShapesError` (it was read as a report graph)."""
    case = next(c for c in CASES if c.name == name)
    status, what = run(case, "pyshacl")
    assert status == PASS, what
    assert what == ("refused: the shapes cannot be evaluated: Cannot use AS to re-bind potentially pre-bound "
                    "variables such as this" if case.failure else "passed")
