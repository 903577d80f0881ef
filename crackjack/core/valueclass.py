"""``@value`` and ``@record``: the one way crackjack declares a class of fields.

A ``@value`` is immutable for the type checker (``frozen_default``: mypy, strict over the code
and the tests, refuses any assignment to a field) and compared by identity; ``eq=True`` makes
one compared and hashed by its fields, frozen at run time too. A ``@record`` is mutable state
(the live view's rows, a run's bookkeeping). Both have slots, keyword or positional fields with
defaults and ``default_factory``, ``__post_init__``, and the helpers ``field``, ``fields``,
``replace`` and ``asdict``; mypy checks them as it checks dataclasses (``dataclass_transform``,
and the standard library's signatures of the helpers).

Why not :mod:`dataclasses`: importing it (it imports ``inspect``, ``ast`` and ``dis``) and
compiling each class's methods with ``exec`` when its module is imported cost a trivial run
about 50 ms of its 150 (bench/README.md, "Latest figures"). Here a class costs a few dict
operations when it is declared, and its ``__init__`` is compiled only once it has made a few
instances (``COMPILE_AFTER``): most classes of a short run make fewer.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar, cast, dataclass_transform, overload

_T = TypeVar("_T")
_MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()
_FIELDS = "__value_fields__"


class FrozenInstanceError(AttributeError):
    """An assignment to a field of an ``eq=True`` value."""


class Field:
    """One field of a value class: its name, its annotation (``type``, as its module wrote it),
    its default (or factory) and whether it is compared and shown."""

    __slots__ = ("compare", "default", "default_factory", "name", "repr", "type")

    def __init__(
        self,
        default: Any = _MISSING,
        default_factory: Any = _MISSING,
        compare: bool = True,
        repr: bool = True,
    ) -> None:
        self.name = ""
        self.type: object = None
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr


if TYPE_CHECKING:
    from dataclasses import asdict as asdict
    from dataclasses import field as field
    from dataclasses import fields as fields
    from dataclasses import replace as replace

    from _typeshed import DataclassInstance
else:

    def field(
        *,
        default: Any = _MISSING,
        default_factory: Any = _MISSING,
        compare: bool = True,
        repr: bool = True,
    ) -> Any:
        """A field's default or factory, as :func:`dataclasses.field` takes them."""
        return Field(default, default_factory, compare, repr)

    def fields(obj: Any) -> tuple[Field, ...]:
        """The fields of a value class or of one of its instances, in order."""
        try:
            return getattr(obj, _FIELDS)
        except AttributeError:
            raise TypeError(f"{obj!r} is not a value class nor a value") from None

    def replace(obj: _T, /, **changes: Any) -> _T:
        """A copy of ``obj`` with ``changes`` (``__post_init__`` runs again)."""
        for f in fields(obj):
            changes.setdefault(f.name, getattr(obj, f.name))
        return type(obj)(**changes)

    def asdict(obj: Any) -> dict[str, Any]:
        """``obj`` as a dict, recursively (values, lists, tuples and dicts)."""
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}


def _plain(item: Any) -> Any:
    if is_value(item):
        return asdict(item)
    if isinstance(item, (list, tuple)):
        return type(item)(_plain(i) for i in item)
    if isinstance(item, dict):
        return {_plain(k): _plain(v) for k, v in item.items()}
    return item


def is_value(obj: object) -> TypeGuard[DataclassInstance]:
    """Whether ``obj`` is an instance of a value class (not the class itself)."""
    return not isinstance(obj, type) and hasattr(type(obj), _FIELDS)


@overload
def value(cls: type[_T], /) -> type[_T]: ...


@overload
def value(*, kw_only: bool = False, eq: bool = False) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(field, Field))
def value(
    cls: type[_T] | None = None, /, *, kw_only: bool = False, eq: bool = False
) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """An immutable value class; ``eq=True``: compared, hashed and frozen by its fields."""

    def make(cls: type[_T]) -> type[_T]:
        return _build(cls, kw_only=kw_only, eq=eq)

    return make if cls is None else make(cls)


@overload
def record(cls: type[_T], /) -> type[_T]: ...


@overload
def record(*, kw_only: bool = False) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(eq_default=False, field_specifiers=(field, Field))
def record(
    cls: type[_T] | None = None, /, *, kw_only: bool = False
) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """A mutable class of fields, compared by identity."""

    def make(cls: type[_T]) -> type[_T]:
        return _build(cls, kw_only=kw_only, eq=False)

    return make if cls is None else make(cls)


def _build(cls: type[_T], *, kw_only: bool, eq: bool) -> type[_T]:
    every = _collect(cls)
    own = [name for name in _annotations(cls) if name in every]
    namespace = {k: v for k, v in cls.__dict__.items() if k not in every}
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    inherited_slots = {s for base in cls.__mro__[1:] for s in base.__dict__.get("__slots__", ())}
    namespace["__slots__"] = tuple(name for name in own if name not in inherited_slots)
    namespace[_FIELDS] = tuple(every.values())
    namespace["__match_args__"] = () if kw_only else tuple(every)
    namespace["__init__"] = _first_init(kw_only=kw_only, frozen=eq)
    namespace.setdefault("__repr__", _repr)
    if eq:
        compared = [f.name for f in every.values() if f.compare]
        key = attrgetter(*compared) if compared else (lambda _: ())
        namespace["__eq__"] = _equality(key)
        namespace["__hash__"] = lambda self: hash(key(self))
        namespace["__setattr__"] = _frozen
        namespace["__delattr__"] = _frozen
        namespace["__setstate__"] = _set_state
    metaclass: type = type(cls)
    made = cast("type[_T]", metaclass(cls.__name__, cls.__bases__, namespace))
    made.__qualname__ = cls.__qualname__
    return made


def _collect(cls: type) -> dict[str, Field]:
    """The fields of ``cls``: its bases' first, then its own annotations, in order."""
    every: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get(_FIELDS, ()):
            every[f.name] = f
    for name, annotation in _annotations(cls).items():
        if "ClassVar" in str(annotation):
            continue
        declared = cls.__dict__.get(name, _MISSING)
        f = declared if isinstance(declared, Field) else Field(default=declared)
        f.name = name
        f.type = annotation
        every[name] = f
    return every


def _annotations(cls: type) -> dict[str, object]:
    """The annotations ``cls`` itself declares (``inspect.get_annotations`` would import
    ``inspect``, which is what this module avoids)."""
    declared: dict[str, object] = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    return declared


COMPILE_AFTER = 8
"""How many instances of a class the generic ``__init__`` makes before the class's own is
compiled: compiling one costs about as much as a few dozen generic calls, and most classes of
a short run make only a few instances."""


def _first_init(*, kw_only: bool, frozen: bool) -> Callable[..., None]:
    """An ``__init__`` that binds the arguments to the fields itself for a class's first
    ``COMPILE_AFTER`` instances, then compiles the class's own and hands over to it."""
    made: dict[type, int] = {}

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        cls = _declaring(type(self))
        count = made.get(cls, 0) + 1
        made[cls] = count  # a race between threads only compiles a little later
        if count <= COMPILE_AFTER:
            _bind(cls, self, args, kwargs, kw_only=kw_only, frozen=frozen)
            return
        compiled = _compile_init(cls, kw_only=kw_only, frozen=frozen)
        type.__setattr__(cls, "__init__", compiled)
        compiled(self, *args, **kwargs)

    return __init__


def _bind(
    cls: type, self: Any, args: tuple[Any, ...], kwargs: dict[str, Any], *, kw_only: bool,
    frozen: bool,
) -> None:  # fmt: skip
    """What the compiled ``__init__`` does, field by field, with its errors."""
    every: tuple[Field, ...] = getattr(cls, _FIELDS)
    name = f"{cls.__qualname__}.__init__()"
    if args and (kw_only or len(args) > len(every)):
        given = len(args) + 1
        allowed = 1 if kw_only else len(every) + 1
        raise TypeError(f"{name} takes {allowed} positional arguments but {given} were given")
    unknown = kwargs.keys() - {f.name for f in every}
    if unknown:
        raise TypeError(f"{name} got an unexpected keyword argument {min(unknown)!r}")
    assign = object.__setattr__ if frozen else setattr
    for position, f in enumerate(every):
        if position < len(args):
            if f.name in kwargs:
                raise TypeError(f"{name} got multiple values for argument {f.name!r}")
            item = args[position]
        elif f.name in kwargs:
            item = kwargs[f.name]
        elif f.default_factory is not _MISSING:
            item = f.default_factory()
        elif f.default is not _MISSING:
            item = f.default
        else:
            raise TypeError(f"{name} missing a required argument: {f.name!r}")
        assign(self, f.name, item)
    if hasattr(cls, "__post_init__"):
        self.__post_init__()


def _declaring(cls: type) -> type:
    """The value class whose ``__init__`` this is: ``cls`` or the nearest base that declared
    fields (a plain subclass inherits its base's)."""
    return next(c for c in cls.__mro__ if _FIELDS in c.__dict__)


def _compile_init(cls: type, *, kw_only: bool, frozen: bool) -> Callable[..., None]:
    every: tuple[Field, ...] = getattr(cls, _FIELDS)
    scope: dict[str, Any] = {"_MISSING": _MISSING, "_set": object.__setattr__}
    params, body = [], []
    for f in every:
        if f.default_factory is not _MISSING:
            scope[f"_f_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            assigned = f"_f_{f.name}() if {f.name} is _MISSING else {f.name}"
        elif f.default is not _MISSING:
            scope[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
            assigned = f.name
        else:
            params.append(f.name)
            assigned = f.name
        body.append(
            f"_set(self, {f.name!r}, {assigned})" if frozen else f"self.{f.name} = {assigned}"
        )
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    signature = ", ".join((["*"] if kw_only and params else []) + params)
    source = f"def __init__(self, {signature}):\n    " + ("\n    ".join(body) or "pass")
    exec(source, scope)  # nosec B102: the source is made here, from the class's field names
    compiled: Callable[..., None] = scope["__init__"]
    compiled.__qualname__ = f"{cls.__qualname__}.__init__"
    return compiled


def _repr(self: Any) -> str:
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
    return f"{type(self).__qualname__}({shown})"


def _equality(key: Callable[[Any], object]) -> Callable[[Any, object], bool]:
    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return key(self) == key(other)

    return __eq__


def _set_state(self: Any, state: tuple[None, dict[str, object]]) -> None:
    """Unpickling and :func:`copy.copy` of a frozen value (its slots' state, as
    ``object.__getstate__`` gives it)."""
    for name, item in state[1].items():
        object.__setattr__(self, name, item)


def _frozen(self: Any, name: str, *_: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")
