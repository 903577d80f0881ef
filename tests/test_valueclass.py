"""``@value`` and ``@record`` behave as the dataclasses they replace: fields in order with their
defaults and factories, keyword-only fields, inheritance, ``__post_init__``, ``replace``,
``fields``, ``asdict``, equality and hashing by fields only where asked, frozen where asked."""

from __future__ import annotations

import copy
import pickle

import pytest

from crackjack.core.valueclass import (
    COMPILE_AFTER,
    FrozenInstanceError,
    asdict,
    field,
    fields,
    is_value,
    record,
    replace,
    value,
)


@value
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)


@value(kw_only=True)
class Base:
    name: str
    size: int = 1


@value(kw_only=True)
class Child(Base):
    colour: str = "red"
    size: int = 2


class Plain(Child):
    __slots__ = ()


@value(eq=True)
class Key:
    a: str
    b: tuple[int, ...] = ()
    note: str = field(default="", compare=False)


@value
class Checked:
    n: int

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError("n must be >= 0")


@record
class Counter:
    count: int = 0
    seen: dict[str, int] = field(default_factory=dict)


def test_fields_take_positions_defaults_and_fresh_factories() -> None:
    p, q = Point(1), Point(2, 3)
    assert (p.x, p.y, p.tags, q.x, q.y) == (1, 0, [], 2, 3)
    assert p.tags is not q.tags
    assert [f.name for f in fields(Point)] == ["x", "y", "tags"]
    assert Point.__match_args__ == ("x", "y", "tags")
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, z=2)  # type: ignore[call-arg]


def test_keyword_only_and_inherited_fields_keep_the_bases_order() -> None:
    child = Child(name="c")
    assert (child.name, child.size, child.colour) == ("c", 2, "red")
    assert [f.name for f in fields(child)] == ["name", "size", "colour"]
    with pytest.raises(TypeError):
        Base("b")  # type: ignore[call-arg]
    plain = Plain(name="p", colour="blue")
    assert (plain.name, plain.size, plain.colour) == ("p", 2, "blue")
    assert is_value(plain)
    assert not is_value(Plain)


def test_values_have_slots_and_no_dict() -> None:
    point = Point(1)
    assert not hasattr(point, "__dict__")
    with pytest.raises(AttributeError):
        point.z = 1  # type: ignore[attr-defined]


def test_identity_equality_unless_eq() -> None:
    assert Point(1) != Point(1)
    assert hash(Point(1)) != hash(Point(1)) or Point(1) is not Point(1)
    assert Key("a", (1,)) == Key("a", (1,), note="other")
    assert Key("a") != Key("b")
    assert hash(Key("a", (1,))) == hash(Key("a", (1,), note="x"))
    assert len({Key("a"), Key("a"), Key("b")}) == 2
    other: object = ("a", ())
    assert Key("a") != other


def test_eq_values_are_frozen_at_run_time() -> None:
    key = Key("a")
    with pytest.raises(FrozenInstanceError):
        key.a = "b"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del key.a


def test_post_init_runs_on_creation_and_on_replace() -> None:
    assert Checked(1).n == 1
    with pytest.raises(ValueError, match="n must be"):
        Checked(-1)
    with pytest.raises(ValueError, match="n must be"):
        replace(Checked(1), n=-1)


def test_replace_keeps_other_fields_and_refuses_unknown_ones() -> None:
    child = Child(name="c", colour="blue")
    changed = replace(child, size=9)
    assert (changed.name, changed.size, changed.colour) == ("c", 9, "blue")
    assert type(changed) is Child
    with pytest.raises(TypeError):
        replace(child, nope=1)  # type: ignore[call-arg]


def test_asdict_is_recursive() -> None:
    @value
    class Outer:
        inner: Point
        many: tuple[Point, ...]
        named: dict[str, Point]

    outer = Outer(Point(1, tags=["t"]), (Point(2),), {"k": Point(3)})
    assert asdict(outer) == {
        "inner": {"x": 1, "y": 0, "tags": ["t"]},
        "many": ({"x": 2, "y": 0, "tags": []},),
        "named": {"k": {"x": 3, "y": 0, "tags": []}},
    }
    with pytest.raises(TypeError):
        fields(object())  # type: ignore[arg-type]


def test_records_are_mutable_and_compared_by_identity() -> None:
    counter = Counter()
    counter.count += 1
    counter.seen["a"] = 1
    assert (counter.count, counter.seen) == (1, {"a": 1})
    assert Counter() != Counter()
    assert Counter().seen is not Counter().seen


def test_repr_names_the_shown_fields() -> None:
    assert repr(Key("a", note="hidden")) == "Key(a='a', b=(), note='hidden')"
    assert repr(Point(1)) == "Point(x=1, y=0, tags=[])"


def test_copies_and_pickles() -> None:
    key = Key("a", (1, 2))
    assert pickle.loads(pickle.dumps(key)) == key
    point = Point(1, 2, ["t"])
    copied = copy.copy(point)
    assert (copied.x, copied.y, copied.tags) == (1, 2, ["t"])


def test_the_first_instances_and_the_compiled_init_agree() -> None:
    # The first COMPILE_AFTER instances of a class are bound field by field; then its own
    # __init__ is compiled. Both give the same fields, defaults, checks and errors.
    @value(kw_only=True)
    class Late:
        name: str
        tags: list[str] = field(default_factory=list)
        size: int = 3

        def __post_init__(self) -> None:
            if self.size < 0:
                raise ValueError("size must be >= 0")

    @value(eq=True)
    class Pair:
        a: int
        b: int = 0

    made: list[tuple[object, ...]] = []
    for _ in range(2 * COMPILE_AFTER):
        late, pair = Late(name="x"), Pair(1, b=2)
        errors = []
        for bad in (
            lambda: Late(),  # type: ignore[call-arg]
            lambda: Late("x"),  # type: ignore[call-arg]
            lambda: Late(name="x", colour=1),  # type: ignore[call-arg]
            lambda: Pair(1, a=1),  # type: ignore[misc]
            lambda: Pair(1, 2, 3),  # type: ignore[call-arg]
        ):
            with pytest.raises(TypeError) as caught:
                bad()
            errors.append(type(caught.value))
        with pytest.raises(ValueError, match="size must be"):
            Late(name="y", size=-1)
        with pytest.raises(FrozenInstanceError):
            pair.a = 2  # type: ignore[misc]
        made.append((late.name, late.tags, late.size, pair, hash(pair), tuple(errors)))
    assert made[0] == made[-1]
    assert made[0][1] is not made[-1][1]  # a new list from the factory each time
    assert Late.__init__.__code__.co_varnames[:2] == ("self", "name")  # compiled by now
