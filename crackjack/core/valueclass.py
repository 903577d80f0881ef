"""``@value``: the one way crackjack declares an immutable value class.

A value is a dataclass with slots, read-only for the type checker (``frozen_default``: mypy,
strict over the code and the tests, refuses any assignment to a field) and compared by identity.
At run time it is not frozen and has no generated ``repr``: Python 3.11 compiles every generated
method with ``exec`` when its module is imported, and a frozen dataclass has two more
(``__setattr__``, ``__delattr__``): over crackjack's 80-odd classes, about an eighth of a
trivial run's instructions (bench/README.md, "Latest figures"). ``eq=True`` makes a value that
is compared by its fields: that one is frozen at run time too, so that it hashes by its fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, dataclass_transform, overload

_T = TypeVar("_T")


@overload
def value(cls: type[_T], /) -> type[_T]: ...


@overload
def value(*, kw_only: bool = False, eq: bool = False) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(field,))
def value(
    cls: type[_T] | None = None, /, *, kw_only: bool = False, eq: bool = False
) -> type[_T] | Callable[[type[_T]], type[_T]]:
    def make(cls: type[_T]) -> type[_T]:
        return dataclass(slots=True, kw_only=kw_only, eq=eq, frozen=eq, repr=False)(cls)

    return make if cls is None else make(cls)
