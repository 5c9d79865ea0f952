"""The shipped subset of schema.org and a validator for JSON-LD entities against it.

`data/schema_org.json` holds, for the types answer engines and rich results use most (and
their supertypes), each type's parents, its properties' expected types (schema.org ranges)
and the required / recommended lists of Google's structured-data documentation. Nothing is
fetched at run time. The validator reads one entity (a dict as `checks/json_ld.py` yields it)
and reports missing required and recommended properties and values of the wrong type, with
inheritance (NewsArticle → Article → CreativeWork → Thing) and multi-typed entities.

It is lenient where schema.org and Google are: a plain string may stand for an entity (when
the range has no URL/Date/Number... to match, any text is fine), a bare {"@id": ...} reference
is always fine, properties and types not shipped are not judged, and a date-only value is
accepted where a DateTime is expected.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "schema_org.json"
#: schema.org data types a literal value is checked against (everything else is an entity type).
LITERAL_TYPES = frozenset({"Text", "URL", "Date", "DateTime", "Time", "Number", "Integer",
                           "Boolean", "Duration"})
#: Bounds for hostile input: nesting depth followed, list items read per value, nodes visited.
MAX_DEPTH = 6
MAX_LIST_ITEMS = 50
MAX_NODES = 400
#: Value excerpts in findings are cut to this many characters.
EXCERPT = 80
#: Google's defaults when a Rating gives no bestRating / worstRating (review-snippet docs).
DEFAULT_BEST_RATING = 5.0
DEFAULT_WORST_RATING = 1.0
#: Entries kept in each of the vocabulary's memo tables (type names come from pages).
_MEMO_LIMIT = 20_000


# -- reading JSON-LD values (shared with checks/json_ld.py) ------------------------------------

def type_names(node: dict[str, Any]) -> tuple[str, ...]:
    """The node's @type values as bare schema.org names ("http://schema.org/Product" and
    "schema:Product" both give "Product")."""
    value = node.get("@type")
    if isinstance(value, str):
        return _bare_types(value)
    if not isinstance(value, list):
        return ()
    return tuple(_bare_name(v) for v in value if isinstance(v, str) and v)


def _bare_name(value: str) -> str:
    return value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


@lru_cache(maxsize=4096)
def _bare_types(value: str) -> tuple[str, ...]:
    # Every check reads the types of every item of the page: the same few strings.
    return (_bare_name(value),) if value else ()


def has_value(node: Any, prop: str) -> bool:
    """The property is present with a value (not null, "", [] or {})."""
    if not isinstance(node, dict):
        return False
    value = node.get(prop)
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value != [] and value != {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True, slots=True)
class GoogleRules:
    """What Google's documentation for one rich-result type asks for (see the data file)."""

    owner: str
    doc: str
    required: tuple[str, ...] = ()
    #: Groups of which at least one property is required ("offers|review|aggregateRating").
    one_of: tuple[tuple[str, ...], ...] = ()
    recommended: tuple[str, ...] = ()
    #: This tool's floor where Google requires nothing (an Article without headline or name).
    minimum: tuple[tuple[str, ...], ...] = ()
    #: Ranges Google narrows (Offer.price: Number, though schema.org also allows Text).
    ranges: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: The required lists also apply to the type nested in another item (AggregateRating).
    nested: bool = False


@dataclass(frozen=True, slots=True)
class SchemaType:
    name: str
    parents: tuple[str, ...]
    #: Own properties only (inherited ones live on the ancestors) → expected types.
    properties: dict[str, tuple[str, ...]]
    rules: GoogleRules | None


@dataclass(frozen=True, slots=True)
class ValueProblem:
    """One value of the wrong type: where, what was found, what schema.org/Google expect."""

    path: str
    value: str
    expected: str
    problem: str

    def as_dict(self) -> dict[str, str]:
        return {"property": self.path, "value": self.value, "expected": self.expected,
                "problem": self.problem}


class Vocabulary:
    """The shipped types with their ancestors resolved once at load."""

    def __init__(self, release: str, types: dict[str, SchemaType]) -> None:
        self.release = release
        self.types = types
        self._ancestors = {name: self._resolve(name) for name in types}
        # Memo tables (pages repeat the same few types): bounded by the shipped vocabulary,
        # except for unknown type names, so they are capped.
        self._rules: dict[tuple[str, ...], tuple[GoogleRules, ...]] = {}
        self._expected: dict[tuple[tuple[str, ...], str], tuple[str, ...]] = {}

    def _resolve(self, name: str) -> tuple[str, ...]:
        """The type and its ancestors, nearest first (breadth-first over multiple parents)."""
        order: dict[str, None] = {}
        queue = [name]
        while queue:
            current = queue.pop(0)
            if current in order or current not in self.types:
                continue
            order[current] = None
            queue.extend(self.types[current].parents)
        return tuple(order)

    def ancestors(self, name: str) -> tuple[str, ...]:
        """The type and its ancestors; a type not shipped is read as a Thing (every
        schema.org type is one, so Thing's property ranges still apply to it)."""
        return self._ancestors.get(name) or self._ancestors["Thing"]

    def is_a(self, name: str, of: str) -> bool:
        return name in self.types and of in self._ancestors[name]

    def subtypes(self, of: str) -> frozenset[str]:
        """Every shipped type that is `of` or descends from it."""
        return frozenset(name for name, line in self._ancestors.items() if of in line)

    def rules(self, names: tuple[str, ...]) -> tuple[GoogleRules, ...]:
        """Google's rules for an entity of these types: for each type the nearest ancestor
        that has rules (NewsArticle uses Article's), each set once."""
        cached = self._rules.get(names)
        if cached is not None:
            return cached
        found: dict[str, GoogleRules] = {}
        for name in names:
            for ancestor in self._ancestors.get(name, ()):
                rules = self.types[ancestor].rules
                if rules is not None:
                    found.setdefault(rules.owner, rules)
                    break
        result = tuple(found.values())
        if len(self._rules) < _MEMO_LIMIT:
            self._rules[names] = result
        return result

    def expected(self, names: tuple[str, ...], prop: str,
                 rules: tuple[GoogleRules, ...] = ()) -> tuple[str, ...]:
        """The types a value of `prop` may have on an entity of `names` (union over the
        types and their ancestors, narrowed where Google's rules narrow it); () when no
        shipped type defines the property, which is then not judged."""
        for rule in rules:
            for name, narrowed in rule.ranges:
                if name == prop:
                    return narrowed
        cached = self._expected.get((names, prop))
        if cached is not None:
            return cached
        out: dict[str, None] = {}
        for name in names or ("Thing",):
            for ancestor in self.ancestors(name):
                for kind in self.types[ancestor].properties.get(prop, ()):
                    out[kind] = None
        result = tuple(out)
        if len(self._expected) < _MEMO_LIMIT:
            self._expected[(names, prop)] = result
        return result


def _rules_from(owner: str, raw: dict[str, Any]) -> GoogleRules:
    return GoogleRules(
        owner=owner, doc=raw["doc"], required=tuple(raw.get("required", ())),
        one_of=tuple(tuple(group) for group in raw.get("one_of", ())),
        recommended=tuple(raw.get("recommended", ())),
        minimum=tuple(tuple(group) for group in raw.get("minimum", ())),
        ranges=tuple((prop, tuple(kinds.split("|"))) for prop, kinds in raw.get("ranges", {}).items()),
        nested=bool(raw.get("nested", False)))


@cache
def vocabulary() -> Vocabulary:
    """The shipped definitions, read once per process."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    types = {
        name: SchemaType(
            name, tuple(entry.get("parents", ())),
            {prop: tuple(kinds.split("|")) for prop, kinds in entry.get("properties", {}).items()},
            _rules_from(name, entry["google"]) if "google" in entry else None)
        for name, entry in raw["types"].items()
    }
    return Vocabulary(raw["_about"]["schema_org_release"], types)


# -- required and recommended properties ------------------------------------------------------

def _present(entity: dict[str, Any], group: tuple[str, ...]) -> bool:
    return any(has_value(entity, prop) for prop in group)


def rule_owners(entity: dict[str, Any]) -> tuple[str, ...]:
    """The types whose Google rules judge this entity ("Article" for a NewsArticle)."""
    return tuple(rules.owner for rules in vocabulary().rules(type_names(entity)))


def missing_required(entity: dict[str, Any], *, of: str | None = None, with_minimum: bool = False,
                     nested_only: bool = False) -> list[str]:
    """Google's required properties the entity lacks; a one-of group is named "a|b|c".
    `of` keeps only the rules of that type (one check per rich-result type); `with_minimum`
    adds this tool's floor for types where Google requires nothing; `nested_only` keeps only
    rules that apply to nested items."""
    missing: dict[str, None] = {}
    for rules in vocabulary().rules(type_names(entity)):
        if (nested_only and not rules.nested) or (of is not None and rules.owner != of):
            continue
        groups = [(prop,) for prop in rules.required] + list(rules.one_of)
        if with_minimum:
            groups += list(rules.minimum)
        for group in groups:
            if not _present(entity, group):
                missing["|".join(group)] = None
    return list(missing)


def missing_recommended(entity: dict[str, Any]) -> list[str]:
    """Google's recommended properties the entity lacks (required ones, and this tool's
    minimum, are reported by the required-property checks and not repeated)."""
    rules = vocabulary().rules(type_names(entity))
    required = {prop for rule in rules
                for prop in (*rule.required, *(p for group in rule.minimum for p in group))}
    return list(dict.fromkeys(prop for rule in rules for prop in rule.recommended
                              if prop not in required and not has_value(entity, prop)))


def rules_doc(entity: dict[str, Any]) -> str | None:
    """The Google documentation page for the entity's type, None when none is shipped."""
    rules = vocabulary().rules(type_names(entity))
    return rules[0].doc if rules else None


# -- literal values ---------------------------------------------------------------------------

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_TIME = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ]" + _TIME + ")?", re.IGNORECASE)
_TIME_ONLY = re.compile(_TIME, re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_DURATION = re.compile(r"P(?=\d|T\d)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?W)?"
                       r"(?:\d+(?:[.,]\d+)?D)?(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?"
                       r"(?:\d+(?:[.,]\d+)?S)?)?", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S")
_BOOLEAN = frozenset({"true", "false", "https://schema.org/true", "http://schema.org/true",
                      "https://schema.org/false", "http://schema.org/false"})


def _valid_date(text: str) -> bool:
    match = _DATE.fullmatch(text)
    if match is None:
        return False
    if match.group(3) is None:
        return match.group(2) is None or 1 <= int(match.group(2)) <= 12
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _valid_datetime(text: str) -> bool:
    match = _DATETIME.fullmatch(text)
    return match is not None and _valid_date(match.group(1))


#: Literal data type → (test on a stripped string, what a failure means).
_STRING_TESTS = {
    "Date": (lambda s: _valid_date(s) or _valid_datetime(s), "not an ISO 8601 date (YYYY-MM-DD)"),
    "DateTime": (lambda s: _valid_datetime(s) or _valid_date(s),
                 "not an ISO 8601 date-time (YYYY-MM-DDThh:mm+zz:zz)"),
    "Time": (lambda s: _TIME_ONLY.fullmatch(s) is not None, "not an ISO 8601 time (hh:mm[:ss])"),
    "Number": (lambda s: _NUMBER.fullmatch(s) is not None,
               "not a number (digits with '.' as decimal point, no currency or separators)"),
    "Integer": (lambda s: _INTEGER.fullmatch(s) is not None, "not a whole number"),
    "Boolean": (lambda s: s.lower() in _BOOLEAN, "not a boolean (true/false)"),
    "Duration": (lambda s: _DURATION.fullmatch(s) is not None,
                 "not an ISO 8601 duration (e.g. PT1H30M)"),
    "URL": (lambda s: _SCHEME.match(s) is not None or s.startswith("//"),
            "not an absolute URL (JSON-LD values are not resolved against the page)"),
}


def _excerpt(value: Any) -> str:
    """A short text of the value: objects show their first few plain members only (a
    hostile value may be huge or deeply nested)."""
    if isinstance(value, dict):
        value = {str(key)[:40]: item if isinstance(item, str | int | float | bool) else "…"
                 for key, item in list(value.items())[:3]}
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"


def _literal_problem(value: Any, literals: tuple[str, ...]) -> str | None:
    """Why a JSON literal fits none of `literals` (None when it fits one)."""
    if isinstance(value, bool):
        return None if {"Boolean", "Text"} & set(literals) else "a true/false value"
    if isinstance(value, int | float):
        if "Text" in literals or "Number" in literals:
            return None
        if "Integer" in literals and (isinstance(value, int) or float(value).is_integer()):
            return None
        return "a number"
    if isinstance(value, str):
        if "Text" in literals:
            return None
        text = value.strip()
        problems = []
        for kind in literals:
            test, problem = _STRING_TESTS[kind]
            if test(text):
                return None
            problems.append(problem)
        if len(problems) > 1 and set(literals) <= {"Date", "DateTime"}:
            return "not an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDThh:mm+zz:zz)"
        return "; ".join(problems)
    return "an unexpected JSON value"


# -- value types ------------------------------------------------------------------------------

@dataclass(slots=True)
class _Walk:
    """State of one validation: the shared node budget and the problems found so far."""

    vocab: Vocabulary
    limit: int
    nodes: int = 0
    problems: dict[tuple[str, str, str], ValueProblem] | None = None

    def add(self, path: str, value: Any, expected: tuple[str, ...], problem: str) -> None:
        assert self.problems is not None
        key = (path.rsplit(".", 1)[-1], _excerpt(value), "|".join(expected))
        if key not in self.problems and len(self.problems) < self.limit:
            self.problems[key] = ValueProblem(path, _excerpt(value), " or ".join(expected),
                                              problem)


def _properties(entity: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(bare property name, value) for the entity's properties; "schema:name" and full
    schema.org IRIs as keys give "name"."""
    for key, value in entity.items():
        if not isinstance(key, str) or key.startswith("@"):
            continue
        if ":" in key or "/" in key:
            key = key.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        yield key, value


def _walk_entity(walk: _Walk, entity: dict[str, Any], path: str, depth: int) -> None:
    names = type_names(entity)
    rules = walk.vocab.rules(names)
    for prop, value in _properties(entity):
        if walk.nodes >= MAX_NODES or len(walk.problems or ()) >= walk.limit:
            return
        expected = walk.vocab.expected(names, prop, rules)
        if expected:
            _walk_value(walk, value, expected, f"{path}.{prop}" if path else prop, depth)
    if any(walk.vocab.is_a(name, "Rating") for name in names):
        _check_rating(walk, entity, path)


def _walk_value(walk: _Walk, value: Any, expected: tuple[str, ...], path: str,
                depth: int) -> None:
    walk.nodes += 1
    if value is None or walk.nodes >= MAX_NODES:
        return
    if isinstance(value, list):
        for index, item in enumerate(value[:MAX_LIST_ITEMS]):
            _walk_value(walk, item, expected, f"{path}[{index}]", depth)
        return
    literals = tuple(kind for kind in expected if kind in LITERAL_TYPES)
    entity_types = tuple(kind for kind in expected if kind not in LITERAL_TYPES)
    if not isinstance(value, dict):
        if isinstance(value, str) and not value.strip():
            return  # empty: a missing value, reported by the required/recommended checks
        if not literals:
            # schema.org: text may stand in for an entity (an author's name); a bare number or
            # true/false where only an entity is expected is left to stricter tools.
            return
        problem = _literal_problem(value, literals)
        if problem is not None:
            walk.add(path, value, expected, problem)
        return
    if "@value" in value:  # a JSON-LD value object
        if literals and value["@value"] is not None:
            problem = _literal_problem(value["@value"], literals)
            if problem is not None:
                walk.add(path, value["@value"], expected, problem)
        return
    given = type_names(value)
    described = any(not (isinstance(key, str) and key.startswith("@")) for key in value)
    if not given and not described:
        return  # a reference ({"@id": ...}): schema.org allows one for any property
    if not entity_types:
        walk.add(path, value, expected, "an object where a plain value is expected")
        return
    known_given = [name for name in given if name in walk.vocab.types]
    known_expected = [name for name in entity_types if name in walk.vocab.types]
    if given and len(known_given) == len(given) and known_expected and not any(
            walk.vocab.is_a(g, e) or walk.vocab.is_a(e, g)
            for g in known_given for e in known_expected):
        walk.add(path, {"@type": given[0] if len(given) == 1 else list(given)}, expected,
                 f"a {'/'.join(given)} where {' or '.join(entity_types)} is expected")
        return
    if given and depth < MAX_DEPTH:
        _walk_entity(walk, value, path, depth + 1)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _check_rating(walk: _Walk, rating: dict[str, Any], path: str) -> None:
    """ratingValue within worstRating..bestRating (Google's defaults 1..5 when absent)."""
    value = _number(rating.get("ratingValue"))
    if value is None:
        return  # absent, a percentage or a fraction: Google reads those, nothing to compare
    best = _number(rating.get("bestRating"))
    worst = _number(rating.get("worstRating"))
    best = DEFAULT_BEST_RATING if best is None else best
    worst = DEFAULT_WORST_RATING if worst is None else worst
    if not worst <= value <= best:
        walk.add(f"{path}.ratingValue" if path else "ratingValue", rating.get("ratingValue"),
                 (f"{worst:g}..{best:g}",),
                 f"outside the rating scale {worst:g}..{best:g} (set bestRating/worstRating "
                 "if the scale differs)")


def value_problems(entity: dict[str, Any], *, limit: int = 10) -> list[ValueProblem]:
    """Values of the entity (and of the items nested in it, to a bounded depth) whose type
    does not fit what schema.org expects (as narrowed by Google's documentation)."""
    walk = _Walk(vocabulary(), limit, problems={})
    _walk_entity(walk, entity, "", 0)
    return list((walk.problems or {}).values())


def nested_required(entity: dict[str, Any], *, skip: tuple[str, ...] = (),
                    limit: int = 10) -> list[str]:
    """Required properties missing on items nested in the entity whose rules apply when
    nested (an aggregateRating without ratingValue), as paths ("aggregateRating.ratingValue").
    Properties in `skip` are not followed (items the caller reads as entities of their own)."""
    vocab = vocabulary()
    out: list[str] = []
    stack: list[tuple[Any, str, int]] = [(value, prop, 1) for prop, value in _properties(entity)
                                         if prop not in skip]
    seen = 0
    while stack and len(out) < limit and seen < MAX_NODES:
        value, path, depth = stack.pop()
        seen += 1
        if isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth) for i, item in
                         enumerate(value[:MAX_LIST_ITEMS]))
            continue
        if not isinstance(value, dict) or depth > MAX_DEPTH:
            continue
        if any(rules.nested for rules in vocab.rules(type_names(value))):
            out.extend(f"{path}.{prop}" for prop in missing_required(value, nested_only=True))
        stack.extend((item, f"{path}.{prop}", depth + 1) for prop, item in _properties(value)
                     if prop not in skip)
    return out[:limit]
