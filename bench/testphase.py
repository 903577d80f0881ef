"""Time the test phase: ``crackjack --skip-hooks`` against plain ``pytest`` on the same suite.

``python bench/testphase.py [--runs N] [--warmup W]`` generates a small project with about a
thousand pytest tests under ``bench/.work/testsuite`` (its own git repository, regenerated when
the generator changes), then times, in the suite, ``python -m pytest -p no:cacheprovider`` and
``crackjack --skip-hooks -- -p no:cacheprovider`` (which runs the same pytest through its
plugin), with the same interpreter, output to /dev/null. A second scenario adds ``-n 2``
(pytest-xdist) to both. The contenders take turns, one run each per round, after warm-up
rounds. Prints a Markdown table and writes ``bench/.work/tests-results.json``. See
bench/README.md.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from corpus import MARKER, WORK, git, git_env, read_marker, reset
from run import (
    CRACKJACK,
    Action,
    Contender,
    Verdict,
    compile_crackjack,
    environment_metadata,
    measure,
    parse_args,
    prepare_environment,
    short,
    table,
)

from crackjack.core.testphase import pytestplugin
from crackjack.core.testphase.pytestplugin.crackjack_pytest import wire

SUITE = WORK / "testsuite"
RESULTS = WORK / "tests-results.json"
GENERATOR = "1"
"""The generator's version: bump it when the suite's content changes (the marker also holds a
hash of every file, so a forgotten bump still rebuilds)."""
FACTOR = 1.05
ALLOWANCE = 0.3
NO_CACHE = ("-p", "no:cacheprovider")
"""Given to both contenders, so neither writes ``.pytest_cache``."""
UNSET = (
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONDONTWRITEBYTECODE",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
    "PYTEST_XDIST_AUTO_NUM_WORKERS",
)
"""Removed from the environment besides what run.py removes: an active virtual environment
would make crackjack pick another interpreter, and the rest would change what pytest does.
Without ``PYTHONDONTWRITEBYTECODE`` pytest caches the rewritten test modules, as it does on most
machines (this one sets it)."""
BYTECODE_OFF = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
"""Whether the caller's environment had bytecode writing turned off (recorded, then unset)."""


# The generated project ----------------------------------------------------------------------

PYPROJECT = """\
[project]
name = "shopcart"
version = "1.4.0"
description = "A small shop: money, stock, names and orders."
requires-python = ">=3.9"

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["src"]
addopts = ["--strict-markers"]
xfail_strict = true
"""

SOURCES = {
    "src/shopcart/__init__.py": '''\
"""A small shop: money, stock, names and orders."""

__version__ = "1.4.0"
''',
    "src/shopcart/money.py": '''\
"""Amounts of money, in cents, with a currency."""

from __future__ import annotations

import re
from dataclasses import dataclass

_AMOUNT = re.compile(r"^\\s*(-?)(\\d+)(?:\\.(\\d{1,2}))?\\s+([A-Z]{3})\\s*$")


@dataclass(frozen=True, order=True)
class Money:
    cents: int
    currency: str

    @classmethod
    def parse(cls, text: str) -> Money:
        match = _AMOUNT.match(text)
        if match is None:
            raise ValueError(f"not an amount: {text!r}")
        sign, units, fraction, currency = match.groups()
        cents = int(units) * 100 + int((fraction or "0").ljust(2, "0"))
        return cls(-cents if sign else cents, currency)

    def __add__(self, other: Money) -> Money:
        if self.currency != other.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.cents + other.cents, self.currency)

    def allocate(self, parts: int) -> list[Money]:
        """Split into ``parts`` amounts that differ by a cent at most."""
        base, extra = divmod(self.cents, parts)
        return [Money(base + (1 if i < extra else 0), self.currency) for i in range(parts)]

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        units, cents = divmod(abs(self.cents), 100)
        return f"{sign}{units}.{cents:02d} {self.currency}"
''',
    "src/shopcart/stock.py": '''\
"""What the shop has in stock."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


class OutOfStock(Exception):
    """More was asked for than the shop has."""


@dataclass
class Stock:
    items: Counter[str] = field(default_factory=Counter)

    def add(self, sku: str, count: int = 1) -> None:
        if count <= 0:
            raise ValueError("count must be positive")
        self.items[sku] += count

    def take(self, sku: str, count: int = 1) -> None:
        if self.items[sku] < count:
            raise OutOfStock(sku)
        self.items[sku] -= count
        if not self.items[sku]:
            del self.items[sku]

    def total(self) -> int:
        return sum(self.items.values())

    def low(self, threshold: int) -> list[str]:
        return sorted(sku for sku, count in self.items.items() if count < threshold)
''',
    "src/shopcart/text.py": '''\
"""Names, slugs and words."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"[A-Za-z][a-z']*")


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_WORD.sub("-", plain.lower()).strip("-")


def words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def word_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in words(text):
        counts[word] = counts.get(word, 0) + 1
    return counts


def truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "\\u2026"
''',
    "src/shopcart/orders.py": '''\
"""Orders, and their JSON form."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int
    cents: int


@dataclass(frozen=True)
class Order:
    number: int
    customer: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> int:
        return sum(line.quantity * line.cents for line in self.lines)


def dumps(orders: list[Order]) -> str:
    return json.dumps([asdict(order) for order in orders], separators=(",", ":"))


def loads(text: str) -> list[Order]:
    return [
        Order(raw["number"], raw["customer"], tuple(Line(**line) for line in raw["lines"]))
        for raw in json.loads(text)
    ]
''',
    "tests/conftest.py": """\
import pytest

from shopcart.stock import Stock


@pytest.fixture(scope="session")
def catalogue():
    return {f"SKU-{i:04d}": 100 + i * 7 % 250 for i in range(500)}


@pytest.fixture
def stock(catalogue):
    stock = Stock()
    for sku, count in catalogue.items():
        stock.add(sku, count)
    return stock
""",
    "tests/test_version.py": """\
import shopcart


def test_version():
    assert shopcart.__version__ == "1.4.0"
""",
    ".gitignore": "__pycache__/\n.pytest_cache/\n",
    "README.md": "# shopcart\n\nA small shop, generated by crackjack's bench/testphase.py.\n",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Topic:
    """What the test files of one module check. Code is a ``string.Template``: ``${k}`` is
    the file's number (1 to 10); every ``plain`` entry is the body of one test."""

    module: str
    stdlib: str
    """The standard library modules the tests import."""
    imports: str
    """The imports from the package."""
    data: str
    """The module-scoped fixture's value."""
    plain: tuple[str, ...]
    cases: str
    """The values of the parametrized test, an expression."""
    case: str
    """Its body, on ``value``."""
    shop: str
    """The body of a test on the conftest fixtures ``stock`` and ``catalogue``, and ``value``."""
    checks: tuple[str, str, str, str]
    """Assertions on ``data``, one test method each."""
    heavy: str
    """A test that does a little real work (in some files only)."""
    known_bug: str
    """A test that fails, marked xfail (in one file only)."""


TOPICS = (
    Topic(
        module="money",
        stdlib="",
        imports="from shopcart.money import Money",
        data='[Money(cents * ${k}, "EUR") for cents in range(1, 300)]',
        plain=(
            'assert Money.parse("${k}.50 EUR") == Money(${k}50, "EUR")',
            'assert str(Money(-${k}05, "USD")) == "-${k}.05 USD"',
            'assert Money(${k}, "EUR") + Money(1, "EUR") == Money(${k} + 1, "EUR")',
            'parts = Money(${k}00, "GBP").allocate(3)\n'
            "assert sum(part.cents for part in parts) == ${k}00\n"
            "assert max(parts).cents - min(parts).cents <= 1",
            'with pytest.raises(ValueError, match="cannot add"):\n'
            '    Money(${k}, "EUR") + Money(${k}, "USD")',
            'assert Money.parse("  ${k} CHF ").cents == ${k}00',
        ),
        cases="[${k} * i * 3731 % 200000 - 500 for i in range(12)]",
        case='money = Money(value, "EUR")\nassert Money.parse(str(money)) == money',
        shop='sku = f"SKU-{value:04d}"\n'
        'assert Money(stock.items[sku], "EUR").allocate(4)[0].cents >= 25\n'
        "assert stock.items[sku] == catalogue[sku]",
        checks=(
            "sorted(data) == data",
            "len(data) == 299",
            "sum(money.cents for money in data) == ${k} * 44850",
            "min(data).cents == ${k}",
        ),
        heavy='total = Money(0, "EUR")\n'
        "for money in data * 150:\n"
        "    total = total + money\n"
        "assert total.cents == 150 * ${k} * 44850",
        known_bug='assert Money.parse("1.005 EUR").cents == 101',
    ),
    Topic(
        module="stock",
        stdlib="from collections import Counter",
        imports="from shopcart.stock import OutOfStock, Stock",
        data='Stock(Counter({f"A-{i}": i % (${k} + 3) + 1 for i in range(400)}))',
        plain=(
            'stock = Stock()\nstock.add("A", ${k})\nassert stock.total() == ${k}',
            'stock = Stock()\nstock.add("A", ${k})\nstock.take("A", ${k})\n'
            'assert "A" not in stock.items',
            'with pytest.raises(OutOfStock):\n    Stock().take("B")',
            'with pytest.raises(ValueError, match="positive"):\n    Stock().add("C", -${k})',
            'stock = Stock(Counter(a=1, b=${k} + 5, c=2))\nassert stock.low(3) == ["a", "c"]',
            "assert Stock().low(${k}) == []",
        ),
        cases="[${k} + 3 * i for i in range(12)]",
        case='stock = Stock()\nstock.add("X", value)\nstock.take("X", value // 2)\n'
        "assert stock.total() == value - value // 2",
        shop='sku = f"SKU-{value:04d}"\nstock.take(sku, 50)\n'
        "assert stock.items[sku] == catalogue[sku] - 50",
        checks=(
            "data.total() == sum(i % (${k} + 3) + 1 for i in range(400))",
            "len(data.items) == 400",
            'data.low(2) == sorted(f"A-{i}" for i in range(400) if i % (${k} + 3) == 0)',
            '"A-0" in data.items',
        ),
        heavy="stock = Stock()\n"
        "for i in range(20000):\n"
        '    stock.add(f"S-{i % 997}", i % 5 + 1)\n'
        "for i in range(0, 20000, 2):\n"
        '    stock.take(f"S-{i % 997}")\n'
        "assert stock.total() == sum(i % 5 + 1 for i in range(20000)) - 10000",
        known_bug='stock = Stock()\nstock.take("A", 0)\nassert "A" in stock.items',
    ),
    Topic(
        module="text",
        stdlib="import re",
        imports="from shopcart.text import slugify, truncate, word_counts, words",
        data='" ".join(\n'
        "        f\"Item {i} is {('red', 'big', 'old', 'new', 'odd')[i % 5]}"
        ' and caf\\u00e9-made."\n'
        "        for i in range(${k} * 300)\n"
        "    )",
        plain=(
            'assert slugify("Hello World ${k}") == "hello-world-${k}"',
            'assert slugify("Cr\\u00e8me Br\\u00fbl\\u00e9e ${k}") == "creme-brulee-${k}"',
            'assert words("It\'s ${k} o\'clock") == ["it\'s", "o\'clock"]',
            'assert truncate("abcdef", 4) == "abc\\u2026"',
            'assert truncate("ab", ${k} + 2) == "ab"',
            'assert word_counts("a b a ${k}") == {"a": 2, "b": 1}',
        ),
        cases='[f"Product {i} \\u2013 Edition ${k} (\\u00dcber)" for i in range(12)]',
        case='slug = slugify(value)\nassert slug == slug.lower()\nassert " " not in slug\n'
        'assert slug.endswith("edition-${k}-uber")',
        shop='sku = f"SKU-{value:04d}"\nassert slugify(sku) == f"sku-{value:04d}"\n'
        "assert stock.items[sku] == catalogue[sku]",
        checks=(
            'word_counts(data)["item"] == ${k} * 300',
            'slugify(data[:40]).startswith("item-0-is-red")',
            'truncate(data, 50).endswith("\\u2026")',
            'words(data)[:4] == ["item", "is", "red", "and"]',
        ),
        heavy='found = re.findall(r"Item (\\d+) is (\\w+)", data * 20)\n'
        "assert len(found) == ${k} * 300 * 20\n"
        'assert found[-1] == (str(${k} * 300 - 1), ("red", "big", "old", "new", "odd")'
        "[(${k} * 300 - 1) % 5])",
        known_bug='assert slugify("Stra\\u00dfe") == "strasse"',
    ),
    Topic(
        module="orders",
        stdlib="import json",
        imports="from shopcart.orders import Line, Order, dumps, loads",
        data="[\n"
        "        Order(\n"
        "            number,\n"
        '            f"customer-{number % 37}",\n'
        "            tuple(\n"
        '                Line(f"SKU-{number * j % 500:04d}", j + 1, 100 + j * ${k})\n'
        "                for j in range(number % 6 + 1)\n"
        "            ),\n"
        "        )\n"
        "        for number in range(400)\n"
        "    ]",
        plain=(
            'order = Order(1, "ann", (Line("A", 2, 150 + ${k}),))\n'
            "assert order.total == 300 + 2 * ${k}",
            "assert loads(dumps([])) == []",
            'assert Order(${k}, "bob", ()).total == 0',
            'text = dumps([Order(${k}, "cy", (Line("B", 1, ${k}),))])\n'
            'assert \'"sku":"B"\' in text',
            'order = Order(${k}, "di", (Line("A", 1, 5), Line("B", 3, 7)))\n'
            "assert loads(dumps([order])) == [order]",
            'assert json.loads(dumps([Order(${k}, "ed", ())]))[0]["number"] == ${k}',
        ),
        cases="[${k} * i + 1 for i in range(12)]",
        case='order = Order(value, "x", tuple(Line(f"S{j}", j, value) for j in range(4)))\n'
        "assert loads(dumps([order]))[0].total == 6 * value",
        shop='line = Line(f"SKU-{value:04d}", 2, catalogue[f"SKU-{value:04d}"])\n'
        'assert Order(value, "shop", (line,)).total == 2 * catalogue[line.sku]\n'
        "assert stock.items[line.sku] == catalogue[line.sku]",
        checks=(
            "loads(dumps(data)) == data",
            "len(data) == 400",
            "max(order.total for order in data) > 0",
            "len({order.customer for order in data}) == 37",
        ),
        heavy="text = dumps(data * 3)\nassert len(loads(text)) == 1200",
        known_bug='assert loads(\'[{"number": 1, "customer": "x"}]\')[0].lines == ()',
    ),
)
FILES_PER_TOPIC = 10
HEAVY_EVERY = 3
"""Files 1, 4, 7 and 10 of each topic have a test that does a little real work."""
KNOWN_BUG_IN = 5
SKIPPED_IN = 8


def _indent(code: str, depth: int = 1) -> list[str]:
    return ["    " * depth + line if line else "" for line in code.splitlines()]


def _test(name: str, body: str, *, args: str = "", decorator: str = "") -> list[str]:
    return [*([decorator] if decorator else []), f"def {name}({args}):", *_indent(body), "", ""]


def suite_test_file(topic: Topic, k: int) -> str:
    """The test file number ``k`` of ``topic``."""
    name = topic.module
    lines = [f'"""Tests of shopcart.{name}, part ${{k}}."""', ""]
    lines += [*([topic.stdlib, ""] if topic.stdlib else []), "import pytest", ""]
    lines += [topic.imports, "", ""]
    lines += ['@pytest.fixture(scope="module")', "def data():", f"    return {topic.data}", "", ""]
    for number, body in enumerate(topic.plain, 1):
        lines += _test(f"test_{name}_{number}", body)
    lines += _test(
        f"test_{name}_cases",
        topic.case,
        args="value",
        decorator=f'@pytest.mark.parametrize("value", {topic.cases})',
    )
    lines += _test(
        f"test_{name}_in_the_shop",
        topic.shop,
        args="value, stock, catalogue",
        decorator='@pytest.mark.parametrize("value", [${k}, ${k} + 250])',
    )
    lines.append(f"class Test{name.title()}Data:")
    for number, check in enumerate(topic.checks, 1):
        lines += [f"    def test_data_{number}(self, data):", f"        assert {check}", ""]
    lines.append("")
    if k % HEAVY_EVERY == 1:
        lines += _test(f"test_{name}_in_bulk", topic.heavy, args="data")
    if k == KNOWN_BUG_IN:
        known = '@pytest.mark.xfail(reason="known bug, see issue ${k}", strict=True)'
        lines += _test(f"test_{name}_known_bug", topic.known_bug, decorator=known)
    if k == SKIPPED_IN:
        skip = '@pytest.mark.skip(reason="needs the payment service")'
        lines += _test(f"test_{name}_against_the_service", "assert False", decorator=skip)
    return Template("\n".join(lines).rstrip("\n") + "\n").substitute(k=k)


def suite_files() -> dict[str, str]:
    """Every file of the generated project, by path relative to it."""
    files = {"pyproject.toml": PYPROJECT, **SOURCES}
    for topic in TOPICS:
        for k in range(1, FILES_PER_TOPIC + 1):
            files[f"tests/test_{topic.module}_{k:02d}.py"] = suite_test_file(topic, k)
    return files


def ensure_suite() -> Path:
    """The generated project, (re)built if missing or made by another version of the
    generator, and reset (no ``__pycache__`` or anything else left from earlier runs)."""
    files = suite_files()
    digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()
    marker = f"testsuite generator {GENERATOR} sha256:{digest}"
    if read_marker(SUITE) != marker:
        shutil.rmtree(SUITE, ignore_errors=True)
        for path, text in files.items():
            (SUITE / path).parent.mkdir(parents=True, exist_ok=True)
            (SUITE / path).write_text(text, encoding="utf-8")
        subprocess.run(["git", "init", "-q", str(SUITE)], env=git_env(), check=True)
        git(SUITE, "add", "-A")
        git(SUITE, "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", "shopcart 1.4.0")
        (SUITE / ".git" / MARKER).write_text(marker + "\n", encoding="utf-8")
    reset(SUITE)
    return SUITE


# The benchmark ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scenario:
    """The same pytest arguments given to both contenders."""

    key: str
    title: str
    args: tuple[str, ...] = ()

    @property
    def pytest_args(self) -> tuple[str, ...]:
        return (*NO_CACHE, *self.args)

    @property
    def plain(self) -> tuple[str, ...]:
        return (sys.executable, "-m", "pytest", *self.pytest_args)

    @property
    def crackjack(self) -> tuple[str, ...]:
        return (str(CRACKJACK), "--skip-hooks", "--", *self.pytest_args)


SCENARIOS = (
    Scenario("serial", "one pytest process"),
    Scenario("xdist", "pytest-xdist with 2 workers (`-n 2`), on 2 CPUs", ("-n", "2")),
)


@dataclass(slots=True)
class Pair:
    """One scenario's two contenders, and the counts each reported in the checked run."""

    scenario: Scenario
    plain: Contender
    crackjack: Contender
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def exited_0(self) -> bool:
        """Every timed run of both exited 0 (else they did not do the same work)."""
        return {*self.plain.exit_codes, *self.crackjack.exit_codes} == {0}

    def verdict(self) -> Verdict:
        return Verdict(
            f"({self.scenario.key}) `{command(self.scenario.crackjack)}` <= {FACTOR} x"
            f" `{command(self.scenario.plain)}` + {ALLOWANCE} s (medians)",
            self.crackjack.median,
            FACTOR * self.plain.median + ALLOWANCE,
        )

    @property
    def passed(self) -> bool:
        return self.exited_0 and self.verdict().passed

    def line(self) -> str:
        line = self.verdict().line()
        if self.exited_0:
            return line
        return line.replace("**PASS**", "**FAIL**") + " (a run did not exit 0: see the exit codes)"


def command(argv: Sequence[str]) -> str:
    """``argv`` as the README shows it: programs by name, not by path."""
    return " ".join(short(arg) for arg in argv)


def nothing() -> None:
    """No preparation: the runs change no file in the suite (bytecode aside, kept on purpose)."""


def silently(
    argv: Sequence[str], env: Mapping[str, str] | None = None, pass_fds: Sequence[int] = ()
) -> Action:
    """Run ``argv`` in the suite with its output to /dev/null; the action returns its exit code."""

    def action() -> int:
        done = subprocess.run(
            argv,
            cwd=SUITE,
            env=env,
            pass_fds=pass_fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return done.returncode

    return action


def prepare_suite_environment() -> None:
    """run.py's conditions (no terminal, no CI, no CRACKJACK_*), no virtual environment or
    pytest settings from the caller, bytecode written, git without the user's configuration."""
    prepare_environment()
    for key in [key for key in os.environ if key in UNSET or key.startswith("GIT_")]:
        del os.environ[key]
    os.environ.update(git_env())


def pairs() -> list[Pair]:
    return [
        Pair(
            scenario,
            Contender(
                f"({scenario.key}) {command(scenario.plain)}",
                "subprocess in the suite, output to /dev/null",
                silently(scenario.plain),
                prepare=nothing,
            ),
            Contender(
                f"({scenario.key}) {command(scenario.crackjack)}",
                "subprocess in the suite, output to /dev/null (plain output, no TTY)",
                silently(scenario.crackjack),
                prepare=nothing,
            ),
        )
        for scenario in SCENARIOS
    ]


def breakdown(report_to: int) -> list[Contender]:
    """What crackjack's time is made of, in the first scenario: its start-up without the tests,
    and pytest with crackjack's plugin but without crackjack (the plugin reports to /dev/null)."""
    first = SCENARIOS[0]
    dry_run = (str(CRACKJACK), "--skip-hooks", "--dry-run", "--", *first.pytest_args)
    with_plugin = (sys.executable, "-m", "pytest", "-p", pytestplugin.MODULE, *first.pytest_args)
    env = {**os.environ, "PYTHONPATH": str(pytestplugin.FOLDER), wire.REPORT_FD_ENV: str(report_to)}
    return [
        Contender(
            "crackjack --version",
            "subprocess: crackjack's smallest start-up",
            silently((str(CRACKJACK), "--version")),
            prepare=nothing,
        ),
        Contender(
            command(dry_run),
            "subprocess: start-up, settings, file discovery, the plan, and the plan table printed",
            silently(dry_run),
            prepare=nothing,
        ),
        Contender(
            command(with_plugin),
            "subprocess: pytest with crackjack's plugin and no crackjack; the plugin reports"
            " to /dev/null",
            silently(with_plugin, env=env, pass_fds=(report_to,)),
            prepare=nothing,
        ),
    ]


# Checks, once before the warm-up -------------------------------------------------------------

PYTEST_SUMMARY = re.compile(r"^=* ?(?P<counts>\d+ \w+(?:, \d+ \w+)*) in [\d.]+s\b.*$", re.M)
"""pytest's last line: ``==== 977 passed, 4 skipped, 4 xfailed in 2.81s ====``."""
CRACKJACK_SUMMARY = re.compile(
    r"^pytest \.+ (?P<status>\w+) .*?(?P<counts>\d+ (?:passed|failed|errors?|skipped"
    r"|deselected|xfailed|xpassed)(?:, \d+ \w+)*)\s*$",
    re.M,
)
"""crackjack's line for the hook in its plain output:
``pytest ...... passed  2.82s  (47 files)  977 passed, 4 skipped, 4 xfailed``."""
CRACKJACK_PYTHON = re.compile(rf"(?P<python>\S+) -m pytest -p {re.escape(pytestplugin.MODULE)}\b")
"""The interpreter in the plan table of ``--dry-run`` (printed wide enough for one line)."""
CHECKS = WORK / "tests-check"
"""The output of each contender's checked run, one file each."""


def counts(text: str) -> dict[str, int]:
    """``977 passed, 1 error`` as ``{"passed": 977, "errors": 1}``; warnings left out (crackjack
    does not count them)."""
    found: dict[str, int] = {}
    for number, word in re.findall(r"(\d+) (\w+)", text):
        found[{"error": "errors", "warning": "warnings"}.get(word, word)] = int(number)
    found.pop("warnings", None)
    return found


def captured(argv: Sequence[str], name: str) -> tuple[int, str]:
    """Run ``argv`` in the suite, keep its output under tests-check/, return code and output."""
    done = subprocess.run(
        argv, cwd=SUITE, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    output = done.stdout + done.stderr
    CHECKS.mkdir(parents=True, exist_ok=True)
    (CHECKS / f"{name}.txt").write_text(output, encoding="utf-8")
    return done.returncode, output


def check_interpreter() -> str:
    """The interpreter crackjack's plan runs pytest with; it must be the benchmark's."""
    argv = (str(CRACKJACK), "--skip-hooks", "--dry-run", "--", *NO_CACHE)
    _, output = captured(("env", "COLUMNS=1000", *argv), "dry-run")
    match = CRACKJACK_PYTHON.search(output)
    if match is None:
        raise SystemExit(f"bench: no pytest command in the plan of {command(argv)}: {output}")
    python, mine = Path(match["python"]), Path(sys.executable)
    if python.parent != mine.parent or python.resolve() != mine.resolve():
        raise SystemExit(f"bench: crackjack runs pytest with {python}, not {mine}")
    return str(python)


def check_counts(pair: Pair) -> list[str]:
    """Run both contenders once with their output captured: both must exit 0, and crackjack
    must report the counts of pytest's own summary line. Returns what is wrong."""
    problems = []
    found = {}
    for who, argv, pattern in (
        ("plain", pair.scenario.plain, PYTEST_SUMMARY),
        ("crackjack", pair.scenario.crackjack, CRACKJACK_SUMMARY),
    ):
        code, output = captured(argv, f"{pair.scenario.key}-{who}")
        matches = list(pattern.finditer(output))
        found[who] = counts(matches[-1]["counts"]) if matches else {}
        if code:
            problems.append(f"{command(argv)} exited {code}")
        if not matches:
            problems.append(f"no summary line in the output of {command(argv)}")
    pair.counts = found
    if found["plain"] != found["crackjack"]:
        problems.append(f"counts differ: pytest {found['plain']}, crackjack {found['crackjack']}")
    return problems


# The report ---------------------------------------------------------------------------------


def suite_summary(files: Mapping[str, str]) -> str:
    tests = sum(1 for path in files if path.startswith("tests/test_"))
    modules = sum(1 for path in files if path.startswith("src/"))
    return f"shopcart ({modules} modules in src/shopcart, {tests} test files)"


def result_table(found: Sequence[Pair]) -> str:
    lines = [
        "| scenario | plain pytest median (s) | crackjack median (s) | ratio"
        f" | limit = {FACTOR} x plain + {ALLOWANCE} s | verdict |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for pair in found:
        plain, mine = pair.plain.median, pair.crackjack.median
        lines.append(
            f"| {pair.scenario.key}: {pair.scenario.title} | {plain:.3f} | {mine:.3f}"
            f" | {mine / plain:.3f} | {FACTOR * plain + ALLOWANCE:.3f}"
            f" | **{'PASS' if pair.passed else 'FAIL'}** |"
        )
    return "\n".join(lines)


def report(
    found: Sequence[Pair],
    parts: Sequence[Contender],
    problems: Sequence[str],
    meta: Mapping[str, object],
) -> str:
    runs = len(found[0].plain.seconds)
    first = found[0]
    lines = [
        f"Suite: {meta['suite']}, {meta['suite_counts']}; {runs} timed runs of each, wall clock,"
        f" after {meta['warmup']} warm-up round(s); 1-minute load average"
        f" {meta['load_average_before']:.2f} before, {meta['load_average_after']:.2f} after,"
        f" on {meta['cpus']} CPUs.",
        "",
        result_table(found),
        "",
        table([c for pair in found for c in (pair.plain, pair.crackjack)] + list(parts)),
        "",
        "- checked runs (once, before the warm-up): "
        + (
            "; ".join(problems) or "every contender exited 0 and crackjack reported pytest's counts"
        ),
        "- crackjack minus plain pytest, medians: "
        + ", ".join(
            f"({pair.scenario.key}) {pair.crackjack.median - pair.plain.median:+.3f} s"
            for pair in found
        ),
        f"- pytest with crackjack's plugin minus plain pytest ({first.scenario.key}), medians:"
        f" {parts[-1].median - first.plain.median:+.3f} s",
        *(pair.line() for pair in found),
    ]
    return "\n".join(lines)


def metadata(package: Path, python: str, runs: int, warmup: int) -> dict[str, object]:
    return {
        **environment_metadata(package),
        "pythondontwritebytecode": {"caller": BYTECODE_OFF, "contenders": False},
        "pytest": importlib.metadata.version("pytest"),
        "pytest-xdist": importlib.metadata.version("pytest-xdist"),
        "suite": suite_summary(suite_files()),
        "suite_generator": read_marker(SUITE),
        "crackjack_runs_pytest_with": python,
        "scenarios": {s.key: {"plain": s.plain, "crackjack": s.crackjack} for s in SCENARIOS},
        "runs": runs,
        "warmup": warmup,
    }


def results(
    found: Sequence[Pair], parts: Sequence[Contender], problems: Sequence[str]
) -> dict[str, object]:
    """Every timing, the checked runs' counts and the verdicts, for tests-results.json."""
    return {
        "checked_runs": {
            "problems": list(problems),
            "counts": {p.scenario.key: p.counts for p in found},
        },
        "measurements": [
            {"scenario": pair.scenario.key, "contender": who, **contender.as_json()}
            for pair in found
            for who, contender in (("plain", pair.plain), ("crackjack", pair.crackjack))
        ],
        "breakdown": [part.as_json() for part in parts],
        "targets": [
            {
                "target": pair.verdict().target,
                "measured": pair.verdict().measured,
                "limit": pair.verdict().limit,
                "all_exited_0": pair.exited_0,
                "passed": pair.passed,
            }
            for pair in found
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv, __doc__)
    if not CRACKJACK.is_file():
        raise SystemExit(f"bench: {CRACKJACK} not found: install crackjack in this environment")
    prepare_suite_environment()
    package = compile_crackjack()
    ensure_suite()
    print(f"bench: suite ready in {SUITE}; checked runs", file=sys.stderr)
    python = check_interpreter()
    meta = metadata(package, python, args.runs, args.warmup)
    found = pairs()
    problems = [problem for pair in found for problem in check_counts(pair)]
    for problem in problems:
        print(f"bench: checked run: {problem}", file=sys.stderr)
    meta["suite_counts"] = ", ".join(f"{n} {word}" for word, n in found[0].counts["plain"].items())
    print(f"bench: timing {args.warmup} + {args.runs} rounds", file=sys.stderr)
    with open(os.devnull, "wb") as sink:
        parts = breakdown(sink.fileno())
        timed = [*(c for pair in found for c in (pair.plain, pair.crackjack)), *parts]
        measure(timed, runs=args.runs, warmup=args.warmup)
    meta["load_average_after"] = os.getloadavg()[0]
    print(report(found, parts, problems, meta))
    data = {"meta": meta, **results(found, parts, problems)}
    RESULTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
