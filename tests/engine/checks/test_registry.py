"""The registry as a whole: every check documented, every check tested both ways, and a
clean page raising nothing."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import tests.engine.checks as cases_package
from audits.engine.checks.registry import CATEGORIES, REGISTRY, run_page_checks, run_site_checks
from audits.engine.types import Severity
from tests.engine.checks.helpers import doc, fires, page, params, site

#: Every test module of this package that declares `CASES` (found, not listed, so adding a
#: check module and its test module needs no edit here).
CASE_MODULES = tuple(
    module for module in (importlib.import_module(f"{cases_package.__name__}.{info.name}")
                          for info in pkgutil.iter_modules(cases_package.__path__)
                          if info.name.startswith("test_"))
    if hasattr(module, "CASES"))
ALL_CASES = [case for module in CASE_MODULES for case in module.CASES]


@pytest.mark.parametrize(("code", "factory"), params(ALL_CASES, "fails"))
def test_check_flags_its_failing_cases(code, factory):
    assert fires(code, factory())


@pytest.mark.parametrize(("code", "factory"), params(ALL_CASES, "passes"))
def test_check_leaves_its_passing_cases_alone(code, factory):
    assert not fires(code, factory())


#: Checks that cannot be exercised through a page and have a dedicated test instead.
DEDICATED_TESTS = {"engine.check_error": "test_check_error_recorded_when_a_check_raises"}


def test_every_check_has_failing_and_passing_cases():
    cases = {case.code: case for module in CASE_MODULES for case in module.CASES}
    missing = set(REGISTRY) - set(cases) - set(DEDICATED_TESTS)
    assert not missing, f"checks without test cases: {sorted(missing)}"
    unknown = set(cases) - set(REGISTRY)
    assert not unknown, f"test cases for unregistered codes: {sorted(unknown)}"
    for code, case in cases.items():
        assert case.fails and case.passes, code


def test_dedicated_tests_exist_and_name_their_code():
    source = "\n".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py"))
    for code, test_name in DEDICATED_TESTS.items():
        assert f"def {test_name}(" in source
        assert f'"{code}"' in source


def test_every_check_is_documented():
    assert len(REGISTRY) >= 34
    for code, check in REGISTRY.items():
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", code), code
        assert check.category in CATEGORIES, code
        assert check.severity in Severity.ALL, code
        assert check.title.strip() and check.why.strip() and check.fix.strip(), code
        assert check.reference.startswith(("https://", "docs/")), code
        assert check.func.__doc__ and check.func.__doc__.strip(), f"{code}: no docstring"


def test_clean_page_raises_nothing():
    assert run_page_checks(page(doc())) == ()


def test_empty_site_raises_nothing():
    assert run_site_checks(site()) == []
