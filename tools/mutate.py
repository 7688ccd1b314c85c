"""Mutation testing of the core modules (`make mutate MODULE=webapp/twilio_client/retry.py`); run by hand
when a core module changes, never in CI (minutes per module).

A mutant is one small change to the module's source: a comparison flipped at its boundary (`<` → `<=`,
`==` → `!=`, `is` → `is not`), `and` ↔ `or`, `+` ↔ `-`, `*` ↔ `/`, a `not` dropped, `min` ↔ `max`, a number
±1, a boolean negated, a code-like string (a status, a key: no spaces) garbled, `return x` → `return None`,
a statement of a function deleted; inside a Lua script (a string that calls `redis.call`) the same at the
text level, with `math.floor` ↔ `math.ceil` and a line deleted. Docstrings, annotations, log calls,
`TYPE_CHECKING` imports and schema names (`__tablename__`, `__table_args__`: the migration tests pin them)
are left alone.

Each mutant is written over the module in place, so the processes the tests start (workers, the sandbox)
import it too, and the module's tests (`TESTS`) run in a pytest forked from this process (which imported
the libraries they need once) that stops at the first failure, under a timeout. A failure or a timeout
kills the mutant; a pass means it survived: a gap in the tests, or a change that alters no behaviour (an
equivalent mutant). The original file, with its modification time,
is always put back, on Ctrl-C too; a run killed outright leaves its copy in `.mutate/`, which the next run
restores first. The tests see the caller's environment (`TEST_DATABASE_URL`, `TEST_REDIS_URL`, `CI`).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import importlib
import importlib.metadata
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # Switchboard from this checkout, mutated
BACKUPS = ROOT / ".mutate"

TESTS = {
    "webapp/models/phone_format.py": ["tests/models/test_phone_format.py"],
    "webapp/models/business.py": [  # the migration test pins the columns' types, lengths and indexes
        "tests/models/test_business.py",
        "tests/test_migrations.py::test_upgrade_gives_exactly_the_models_schema_and_downgrade_unwinds_it",
    ],
    "webapp/twilio_client/retry.py": ["tests/twilio_client/test_retry.py"],
    "webapp/twilio_client/error_mapping.py": ["tests/twilio_client/test_error_mapping.py"],
    "webapp/twilio_client/concurrency.py": ["tests/twilio_client/test_concurrency.py"],
    "webapp/callbacks/receiver.py": ["tests/callbacks/test_receiver.py"],  # status callbacks' signature check
}
"""Each core module and the fastest test selection that covers it (pytest arguments)."""

COMPARISONS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
OPERATORS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Pow: ast.Mult,
    ast.Mod: ast.Mult,
}
SWAPPED_CALLS = {"min": "max", "max": "min"}
UNMUTATED_CALLS = {"TypeVar"}
UNMUTATED_NAMES = {"__tablename__", "__table_args__"}
LOGGERS = {"logger", "logging"}
CODE_LIKE = re.compile(r"[A-Za-z_][\w.:/-]*")
"""A string that code or storage reads (a status, a key, a header name), as opposed to a sentence."""

LUA_TOKENS = [
    (re.compile(r"<=|>=|~=|==|<|>"), {"<=": "<", ">=": ">", "~=": "==", "==": "~=", "<": "<=", ">": ">="}),
    (
        re.compile(r"math\.(?:min|max|floor|ceil)"),
        {
            "math.min": "math.max",
            "math.max": "math.min",
            "math.floor": "math.ceil",
            "math.ceil": "math.floor",
        },
    ),
    (re.compile(r"(?<= )[-+*/](?= )"), {"+": "-", "-": "+", "*": "/", "/": "*"}),
    (re.compile(r"\b(?:and|or)\b"), {"and": "or", "or": "and"}),
]
LUA_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
LUA_WORD = re.compile(r"'([a-z][a-z_-]*)'")
LUA_STATEMENT = re.compile(r"^[ \t]*(?:redis\.call\(|[a-z_]+ = ).*$", re.MULTILINE)


@dataclass(frozen=True)
class Mutant:
    """One change: the source's bytes `start:end` become `replacement`."""

    line: int
    start: int
    end: int
    replacement: str
    description: str

    def apply(self, source: bytes) -> bytes:
        return source[: self.start] + self.replacement.encode() + source[self.end :]


def short(text: str, width: int = 60) -> str:
    first = text.strip().splitlines()[0]
    return first if len(first) <= width else first[: width - 1] + "…"


class Mutations(ast.NodeVisitor):
    """Collects the mutants of one module's source."""

    def __init__(self, source: bytes) -> None:
        self.source = source
        self.line_starts = [0] + [index + 1 for index, byte in enumerate(source) if byte == ord("\n")]
        self.found: list[Mutant] = []
        self.in_function = False

    def offset(self, line: int, column: int) -> int:
        return self.line_starts[line - 1] + column

    def replace(self, node: ast.AST, replacement: str, description: str) -> None:
        start = self.offset(node.lineno, node.col_offset)
        end = self.offset(node.end_lineno, node.end_col_offset)
        self.found.append(Mutant(node.lineno, start, end, replacement, description))

    def expression(self, node: ast.expr, mutated: ast.expr, description: str) -> None:
        self.replace(node, f"({ast.unparse(mutated)})", description)

    # Statements
    def visit_body(self, body: list[ast.stmt]) -> None:
        for statement in body:
            if is_documentation(statement) or is_log_call(statement):
                continue
            if self.in_function and isinstance(
                statement, ast.Expr | ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Raise
            ):
                self.replace(statement, "pass", f"deleted `{short(ast.unparse(statement))}`")
            self.visit(statement)

    def generic_visit(self, node: ast.AST) -> None:
        for name, value in ast.iter_fields(node):
            if name in ("body", "orelse", "finalbody") and isinstance(value, list):
                self.visit_body(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for expression in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if expression is not None:
                self.visit(expression)
        outer, self.in_function = self.in_function, True
        self.visit_body(node.body)
        self.in_function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expression in node.decorator_list:
            self.visit(expression)
        outer, self.in_function = self.in_function, False
        self.visit_body(node.body)
        self.in_function = outer

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)

    def visit_Assign(self, node: ast.Assign) -> None:
        if not any(isinstance(target, ast.Name) and target.id in UNMUTATED_NAMES for target in node.targets):
            self.visit(node.value)

    def visit_If(self, node: ast.If) -> None:
        if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
            self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and not is_none(node.value):
            self.replace(node, "return None", f"`{short(ast.unparse(node))}` → `return None`")
            self.visit(node.value)

    def visit_Import(self, node: ast.Import) -> None:
        pass

    visit_ImportFrom = visit_Import

    # Expressions
    def visit_arguments(self, node: ast.arguments) -> None:
        pass  # a lambda's parameters

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        pass  # an f-string is a sentence

    def visit_Compare(self, node: ast.Compare) -> None:
        for index, operator in enumerate(node.ops):
            swapped = COMPARISONS.get(type(operator))
            if swapped is not None:
                mutated = copy.copy(node)
                mutated.ops = [*node.ops[:index], swapped(), *node.ops[index + 1 :]]
                self.expression(node, mutated, f"`{symbol(operator)}` → `{symbol(swapped())}`")
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        swapped = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        mutated = ast.BoolOp(op=swapped, values=node.values)
        self.expression(node, mutated, f"`{symbol(node.op)}` → `{symbol(swapped)}`")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        swapped = OPERATORS.get(type(node.op))
        if swapped is not None:
            mutated = ast.BinOp(left=node.left, op=swapped(), right=node.right)
            self.expression(node, mutated, f"`{symbol(node.op)}` → `{symbol(swapped())}`")
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self.expression(node, node.operand, f"dropped `not` of `{short(ast.unparse(node.operand))}`")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if is_logger(node.func):
            return
        if isinstance(node.func, ast.Name):
            if node.func.id in UNMUTATED_CALLS:
                return
            if node.func.id in SWAPPED_CALLS:
                swapped = SWAPPED_CALLS[node.func.id]
                self.replace(node.func, swapped, f"`{node.func.id}` → `{swapped}`")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self.replace(node, repr(not value), f"`{value}` → `{not value}`")
        elif isinstance(value, int | float):
            for changed in (value + 1, value - 1):
                changed = round(changed, 12)  # 0.7 - 1 reads -0.3
                self.replace(node, f"({changed!r})", f"`{value!r}` → `{changed!r}`")
        elif isinstance(value, str) and "redis.call" in value:
            self.lua(node)
        elif isinstance(value, str) and CODE_LIKE.fullmatch(value):
            garbled = f"XX{value}XX"
            self.replace(node, repr(garbled), f"`{value!r}` → `{garbled!r}`")

    def lua(self, node: ast.Constant) -> None:
        """Mutants of a Lua script, found in its source text (a plain triple-quoted string)."""
        start = self.offset(node.lineno, node.col_offset)
        text = self.source[start : self.offset(node.end_lineno, node.end_col_offset)].decode()

        def add(match_start: int, match_end: int, replacement: str, description: str) -> None:
            line = node.lineno + text.count("\n", 0, match_start)
            prefix = len(text[:match_start].encode())
            end = prefix + len(text[match_start:match_end].encode())
            self.found.append(Mutant(line, start + prefix, start + end, replacement, f"Lua: {description}"))

        for pattern, swaps in LUA_TOKENS:
            for match in pattern.finditer(text):
                swapped = swaps[match.group()]
                add(match.start(), match.end(), swapped, f"`{match.group()}` → `{swapped}`")
        for match in LUA_NUMBER.finditer(text):
            number = float(match.group()) if "." in match.group() else int(match.group())
            for changed in (number + 1, number - 1):
                add(match.start(), match.end(), str(changed), f"`{match.group()}` → `{changed}`")
        for match in LUA_WORD.finditer(text):
            add(match.start(1), match.end(1), f"XX{match.group(1)}XX", f"`'{match.group(1)}'` garbled")
        for match in LUA_STATEMENT.finditer(text):
            add(match.start(), match.end(), "", f"deleted `{short(match.group())}`")


def symbol(operator: ast.AST) -> str:
    """The operator as written: `<=`, `is not`, `and`."""
    sample = {
        ast.cmpop: lambda: ast.Compare(ast.Name("a"), [operator], [ast.Name("b")]),
        ast.operator: lambda: ast.BinOp(ast.Name("a"), operator, ast.Name("b")),
        ast.boolop: lambda: ast.BoolOp(operator, [ast.Name("a"), ast.Name("b")]),
    }
    kind = next(base for base in sample if isinstance(operator, base))
    return ast.unparse(sample[kind]())[2:-2]


def is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def is_documentation(statement: ast.stmt) -> bool:
    """A docstring, or the string that documents the constant above it."""
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def is_logger(function: ast.expr) -> bool:
    return (
        isinstance(function, ast.Attribute)
        and isinstance(function.value, ast.Name)
        and function.value.id in LOGGERS
    )


def is_log_call(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and is_logger(statement.value.func)
    )


def mutants_of(source: bytes) -> list[Mutant]:
    """Every mutant of `source`, in the order of the file."""
    mutations = Mutations(source)
    mutations.visit_body(ast.parse(source).body)
    return sorted(mutations.found, key=lambda mutant: (mutant.start, mutant.description))


class Interrupted(Exception):
    """The run was stopped (SIGTERM or SIGHUP); the file is restored on the way out."""


def stop(signum: int, frame: object) -> None:
    raise Interrupted(signal.Signals(signum).name)


PRELOAD = """
import sys, pytest
pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *sys.argv[1:]])
root = {root!r}
for name, module in list(sys.modules.items()):
    path = getattr(module, "__file__", None) or ""
    if path and (path.startswith(sys.prefix) or not path.startswith(root)):
        print(name)
"""
"""Prints the modules from outside the checkout that collecting the tests imports (libraries)."""


def preload_libraries(tests: list[str]) -> None:
    """Import the libraries the tests import, so that each mutant's pytest, forked from this process, starts
    at once; each child imports Switchboard's own modules itself, the mutant included."""
    script = PRELOAD.format(root=str(ROOT))
    listing = subprocess.run(
        [sys.executable, "-c", script, *tests], cwd=ROOT, capture_output=True, text=True, check=True
    )
    plugins = {entry.dist.name for entry in importlib.metadata.entry_points(group="pytest11")}
    packages = importlib.metadata.packages_distributions()
    for name in listing.stdout.split():
        if plugins & set(packages.get(name.split(".")[0], ())):
            continue  # pytest imports the packages of its plugins itself, to rewrite their asserts
        try:
            importlib.import_module(name)
        except Exception:  # an alias, or a module that imports only in its own context
            continue


def pytest_run(tests: list[str], timeout: float | None) -> tuple[str, float]:
    """Run `tests` in a forked pytest: `passed`, `failed` (any other exit) or `timeout`, and the seconds
    taken. The child leads its own process group, so a timeout ends whatever it started too."""
    began = time.monotonic()
    child = os.fork()
    if child == 0:
        os.setsid()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)  # this process's handlers restore the file; not the child's
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            os.dup2(devnull.fileno(), 2)
        os.chdir(ROOT)
        sys.dont_write_bytecode = True
        code = 1
        try:
            code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", *tests])
        finally:
            os._exit(int(code))
    try:
        while True:
            done, status = os.waitpid(child, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                return ("passed" if code == 0 else "failed"), time.monotonic() - began
            if timeout is not None and time.monotonic() - began > timeout:
                return "timeout", time.monotonic() - began
            time.sleep(0.02)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(child, 0)


def restore(path: Path, original: bytes, stat: os.stat_result) -> None:
    path.write_bytes(original)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def mutate(module: str, tests: list[str]) -> list[Mutant]:
    """Run each mutant of `module` against `tests`, print the outcomes and the score; return the survivors."""
    path = ROOT / module
    backup = BACKUPS / module
    if backup.exists():
        print(f"restoring {module} from {backup.relative_to(ROOT)}, left by a run that was killed")
        path.write_bytes(backup.read_bytes())
    original, stat = path.read_bytes(), path.stat()
    mutants = mutants_of(original)
    preload_libraries(tests)
    outcome, baseline = pytest_run(tests, timeout=None)
    if outcome != "passed":
        sys.exit(f"{' '.join(tests)} fail on the unchanged {module}: fix them first")
    timeout = 3 * baseline + 10
    print(f"{module}: {len(mutants)} mutants; {' '.join(tests)} take {baseline:.1f} s unchanged")
    survivors = []
    backup.parent.mkdir(parents=True, exist_ok=True)
    backup.write_bytes(original)
    try:
        for number, mutant in enumerate(mutants, 1):
            path.write_bytes(mutant.apply(original))
            outcome, _ = pytest_run(tests, timeout)
            if outcome == "passed":
                survivors.append(mutant)
            verdict = {"passed": "SURVIVED", "failed": "killed", "timeout": "killed (timeout)"}[outcome]
            print(
                f"  [{number:3}/{len(mutants)}] {verdict:16} {path.name}:{mutant.line}  {mutant.description}"
            )
    finally:
        restore(path, original, stat)
        backup.unlink()
    killed = len(mutants) - len(survivors)
    print(f"{module}: {killed}/{len(mutants)} mutants killed ({100 * killed / max(len(mutants), 1):.0f} %)")
    for mutant in survivors:
        print(f"  survived: {module}:{mutant.line}  {mutant.description}")
    return survivors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"paths from the checkout (default: {', '.join(TESTS)})")
    parser.add_argument("--tests", nargs="+", help="pytest arguments instead of the module's in TESTS")
    parser.add_argument("--list", action="store_true", help="print the mutants without running anything")
    arguments = parser.parse_args()
    modules = arguments.modules or list(TESTS)
    unknown = [module for module in modules if module not in TESTS and not arguments.tests]
    if unknown:
        parser.error(f"no tests are known for {', '.join(unknown)}: add it to TESTS or pass --tests")
    if arguments.list:
        for module in modules:
            for mutant in mutants_of((ROOT / module).read_bytes()):
                print(f"{module}:{mutant.line}  {mutant.description}")
        return
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        for module in modules:
            mutate(module, arguments.tests or TESTS[module])
    except (KeyboardInterrupt, Interrupted):
        sys.exit("\ninterrupted; the module under mutation is restored")


if __name__ == "__main__":
    main()
