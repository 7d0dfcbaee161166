"""Every refusal code the source can answer with is documented in docs/API.md, and every
code documented there is one the source can answer with (the way docs/ROLES.md is kept
equal to the permission matrix).

The codes are found by reading the source's syntax trees (no import, no Django), so a
refusal raised on a rare path is found as surely as a common one:

- a *code-bearing class* is one whose ``__init__`` takes ``code, message`` first
  (``DomainError``, ``MedicationError``, ``ScoreError``, ``DrugTestError``), a dataclass
  whose first fields are ``code, message`` (``clinical.dosing.Refusal``; not
  ``clinical.takehome.Factor``, a code with a ``text``), or a subclass of one
  (``Conflict``); a subclass that fixes its code calls ``super().__init__("not_found", …)``
  (``NotFound``, ``PermissionDenied``), and that literal is the code;
- an *error body* is a dict literal with the keys ``"code"`` and ``"detail"`` (the API's
  envelope, built by hand in ``waypoint/api.py`` and ``core/views.py``);
- the code given to either is resolved: a string literal is a code; a parameter of the
  enclosing function makes that function a *forwarder*, and the literal passed at each of
  its call sites is a code (followed through any number of forwarders: the locator's
  ``_choices(…, "unknown_service")`` → ``_refuse(code, …)`` → ``DomainError(code, …)``);
  a local variable is resolved through every assignment to it; ``TABLE.get(k, default)``
  or ``TABLE[k]`` on a module-level dict gives all its values (``HTTP_CODES``);
  ``exc.code`` re-raises a code already collected where ``exc`` was made. Calls are
  matched to the function they reach through imports and re-exports, so two private
  helpers of the same name in different modules are not confused;
- the command line's ``_fail("<code>: <sentence>")`` (see ``CLI_FAIL`` below);
- ``FhirError(status, code, diagnostics)`` (fhir/outcome.py), the code second
  (``STATUS_FIRST`` below).

Anything else is reported as unresolvable and fails the test: write the code as a literal
or through one of the forms above, so that this test keeps finding every code.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
SRC = ROOT / "src" / "waypoint"
API_DOC = ROOT / "docs" / "API.md"


# --- reading the source ------------------------------------------------------------------


@dataclass
class Module:
    name: str  # waypoint.medication.services
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # local -> (module, name)
    module_aliases: dict[str, str] = field(default_factory=dict)  # local name -> module
    tables: dict[str, ast.Dict] = field(default_factory=dict)  # module-level dict literals


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.name.split(".")
    if module.path.name != "__init__.py":
        package = package[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def parse_module(name: str, path: Path, text: str) -> Module:
    module = Module(name, path, ast.parse(text, filename=str(path)))
    for node in ast.walk(module.tree):
        for child in ast.iter_child_nodes(node):
            module.parents[child] = node
        if isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            for alias in node.names:
                local = alias.asname or alias.name
                # ``from . import services`` names a module, ``from .x import f`` a name
                module.imports[local] = (base, alias.name)
                module.module_aliases[local] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                module.module_aliases[alias.asname or alias.name] = alias.name
    for stmt in module.tree.body:
        target = value = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            target, value = stmt.target, stmt.value
        if isinstance(target, ast.Name) and isinstance(value, ast.Dict):
            module.tables[target.id] = value
    return module


def load_modules() -> dict[str, Module]:
    """Every module of src/waypoint but tests and migrations."""
    modules: dict[str, Module] = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).parts
        if "tests" in rel or "migrations" in rel:
            continue
        module = parse_module(_module_name(path), path, path.read_text(encoding="utf-8"))
        modules[module.name] = module
    return modules


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _enclosing_function(
    module: Module, node: ast.AST
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    while node in module.parents:
        node = module.parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
    return None


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    a = fn.args
    return [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]


def _positional_params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [p.arg for p in [*fn.args.posonlyargs, *fn.args.args]]


# --- code-bearing classes ------------------------------------------------------------------


def code_bearing_classes(modules: dict[str, Module]) -> tuple[set[str], set[str]]:
    """(names of classes constructed with a code first, codes fixed by a subclass)."""
    classes: dict[str, ast.ClassDef] = {}
    for module in modules.values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef):
                classes[node.name] = node

    def init_of(cls: ast.ClassDef) -> ast.FunctionDef | None:
        for stmt in cls.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
                return stmt
        return None

    def is_code_and_message_dataclass(cls: ast.ClassDef) -> bool:
        decorated = any("dataclass" in ast.unparse(d) for d in cls.decorator_list)
        fields = [
            s.target.id
            for s in cls.body
            if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
        ]
        return decorated and fields[:2] == ["code", "message"]

    bearing: set[str] = set()
    fixed_codes: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, cls in classes.items():
            if name in bearing:
                continue
            init = init_of(cls)
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in cls.bases}
            takes_code = init is not None and _positional_params(init)[1:3] == ["code", "message"]
            inherits = init is None and bases & bearing
            if takes_code or inherits or is_code_and_message_dataclass(cls):
                bearing.add(name)
                changed = True
    # subclasses that fix their code: ``super().__init__("not_found", …)``
    for name, cls in classes.items():
        bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in cls.bases}
        init = init_of(cls)
        if name in bearing or init is None or not bases & bearing:
            continue
        for node in ast.walk(init):
            if (
                isinstance(node, ast.Call)
                and _callee(node) == "__init__"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                fixed_codes.add(node.args[0].value)
    return bearing, fixed_codes


# --- resolving where a code comes from ------------------------------------------------------


@dataclass
class Collection:
    codes: dict[str, set[str]] = field(default_factory=dict)  # code -> where
    unresolved: list[str] = field(default_factory=list)
    # (module, function) -> (position, parameter name) of the code it passes on
    forwarders: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)

    def add(self, code: str, where: str) -> None:
        self.codes.setdefault(code, set()).add(where)


def _where(module: Module, node: ast.AST) -> str:
    return f"{module.path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def resolve(
    module: Module,
    expr: ast.expr,
    scope: ast.FunctionDef | ast.AsyncFunctionDef | None,
    out: Collection,
    seen: frozenset[str] = frozenset(),
) -> None:
    """Collect the codes ``expr`` can be, or note why it cannot be followed."""
    where = _where(module, expr)
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        out.add(expr.value, where)
    elif isinstance(expr, ast.Attribute) and expr.attr == "code":
        pass  # re-raises a code-bearing object's code: collected where it was made
    elif isinstance(expr, ast.IfExp):
        resolve(module, expr.body, scope, out, seen)
        resolve(module, expr.orelse, scope, out, seen)
    elif isinstance(expr, ast.BoolOp):
        for value in expr.values:
            resolve(module, value, scope, out, seen)
    elif isinstance(expr, ast.Subscript) and _table(module, expr.value):
        _table_values(module, expr.value, out)
    elif (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and _table(module, expr.func.value)
    ):
        _table_values(module, expr.func.value, out)
        for default in expr.args[1:2]:
            resolve(module, default, scope, out, seen)
    elif isinstance(expr, ast.Name) and scope is not None and expr.id not in seen:
        if expr.id in _params(scope):
            positional = _positional_params(scope)
            position = positional.index(expr.id) if expr.id in positional else -1
            out.forwarders[(module.name, scope.name)] = (position, expr.id)
            return
        assigned = list(_assignments(scope, expr.id))
        if not assigned:
            out.unresolved.append(f"{where}: {ast.unparse(expr)}")
        for value in assigned:
            resolve(module, value, scope, out, seen | {expr.id})
    else:
        out.unresolved.append(f"{where}: {ast.unparse(expr)}")


def _table(module: Module, expr: ast.expr) -> ast.Dict | None:
    return module.tables.get(expr.id) if isinstance(expr, ast.Name) else None


def _table_values(module: Module, expr: ast.expr, out: Collection) -> None:
    table = _table(module, expr)
    assert table is not None
    for value in table.values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            out.add(value.value, _where(module, value))
        else:
            out.unresolved.append(f"{_where(module, value)}: {ast.unparse(value)}")


def _assignments(scope: ast.AST, name: str):
    """The expressions assigned to ``name`` in ``scope`` (plain and tuple assignments)."""
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id == name and node.value:
                    yield node.value
                elif (
                    isinstance(target, ast.Tuple)
                    and isinstance(node.value, ast.Tuple)
                    and len(target.elts) == len(node.value.elts)
                ):
                    for t, v in zip(target.elts, node.value.elts, strict=True):
                        if isinstance(t, ast.Name) and t.id == name:
                            yield v


def _code_argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if 0 <= position < len(call.args) and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    return None


def _target(modules: dict[str, Module], module: Module, call: ast.Call) -> tuple[str, str] | None:
    """The (module, function) a call reaches, following re-exports (a package's
    ``__init__`` importing a name from one of its modules)."""
    target = None
    if isinstance(call.func, ast.Name):
        target = module.imports.get(call.func.id, (module.name, call.func.id))
    elif isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        alias = module.module_aliases.get(call.func.value.id)
        if alias:
            target = (alias, call.func.attr)
    for _ in range(10):  # a re-export of a re-export, and so on
        if target is None or target[0] not in modules:
            break
        owner = modules[target[0]]
        if target[1] not in owner.imports or _defines(owner, target[1]):
            break
        target = owner.imports[target[1]]
    return target


def _defines(module: Module, name: str) -> bool:
    return any(
        isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and s.name == name
        for s in module.tree.body
    )


# The command line reports a refusal as text, ``waypoint: <code>: <sentence>`` on stderr,
# through this one function: the code is the start of the message, not an argument of its
# own, so it is read from there (``_fail(f"unknown_user: no user {username!r}")``).
CLI_FAIL = ("waypoint.cli", "_fail")
# Refusals whose HTTP status comes first and the code second: /fhir/r4/'s OperationOutcomes.
STATUS_FIRST = {"FhirError"}
CLI_CODE = re.compile(r"^([a-z][a-z0-9]*(?:_[a-z0-9]+)+): ")


def _cli_message(module: Module, message: ast.expr, out: Collection) -> None:
    first = message.values[0] if isinstance(message, ast.JoinedStr) else message
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        found = CLI_CODE.match(first.value)
        if found:
            out.add(found.group(1), _where(module, message))


def collect_codes(modules: dict[str, Module] | None = None) -> Collection:
    """Every code the modules can refuse with (``out.codes``), and what could not be
    followed (``out.unresolved``)."""
    modules = modules or load_modules()
    bearing, fixed = code_bearing_classes(modules)
    out = Collection()
    for code in fixed:
        out.add(code, "a subclass's super().__init__")
    calls: list[tuple[Module, ast.Call]] = []
    for module in modules.values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Dict):
                keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
                if "code" in keys and "detail" in keys:
                    scope = _enclosing_function(module, node)
                    resolve(module, node.values[keys.index("code")], scope, out)
            if not isinstance(node, ast.Call):
                continue
            calls.append((module, node))
            if _callee(node) in bearing:
                argument = _code_argument(node, 0, "code")
                if argument is None:
                    out.unresolved.append(f"{_where(module, node)}: {ast.unparse(node)}")
                else:
                    resolve(module, argument, _enclosing_function(module, node), out)
            elif _callee(node) in STATUS_FIRST:
                argument = _code_argument(node, 1, "code")
                if argument is None:
                    out.unresolved.append(f"{_where(module, node)}: {ast.unparse(node)}")
                else:
                    resolve(module, argument, _enclosing_function(module, node), out)
            elif node.args and _target(modules, module, node) == CLI_FAIL:
                _cli_message(module, node.args[0], out)
    # follow forwarders until no new one turns up
    done: set[tuple[str, str]] = set()
    while set(out.forwarders) - done:
        for key in sorted(set(out.forwarders) - done):
            done.add(key)
            position, keyword = out.forwarders[key]
            for module, call in calls:
                if _target(modules, module, call) != key:
                    continue
                argument = _code_argument(call, position, keyword)
                if argument is None:
                    out.unresolved.append(f"{_where(module, call)}: {ast.unparse(call)}")
                else:
                    resolve(module, argument, _enclosing_function(module, call), out)
    return out


# --- reading the docs ------------------------------------------------------------------------


def documented_codes(text: str | None = None) -> set[str]:
    """The backticked codes in the code column of the tables under "## Refusals"."""
    text = text if text is not None else API_DOC.read_text(encoding="utf-8")
    section = re.search(r"^## Refusals\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "docs/API.md has no '## Refusals' section"
    codes: set[str] = set()
    for line in section.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3 or set(cells[0]) <= set("-: "):
            continue
        if cells[1] == "code":  # the header row
            continue
        codes.update(re.findall(r"`([a-z][a-z0-9_]*)`", cells[1]))
    return codes


def mismatch(raised: dict[str, set[str]], documented: set[str]) -> str:
    """What differs between the codes raised and the codes documented, in words ("" when
    they are equal)."""
    undocumented = sorted(set(raised) - documented)
    dead = sorted(documented - set(raised))
    message = []
    if undocumented:
        message.append(
            "raised but not in docs/API.md's refusal tables (add a row: status, code, when):\n"
            + "\n".join(f"  {c}  ({', '.join(sorted(raised[c]))})" for c in undocumented)
        )
    if dead:
        message.append(
            "in docs/API.md's refusal tables but raised nowhere in src/waypoint (remove the "
            "row, or raise it):\n" + "\n".join(f"  {c}" for c in dead)
        )
    return "\n".join(message)


# --- the tests ---------------------------------------------------------------------------------


@functools.cache
def source_codes() -> Collection:
    return collect_codes()


def test_every_refusal_code_is_found_by_reading_the_source():
    out = source_codes()
    assert not out.unresolved, (
        "These refusal codes cannot be followed to a literal or a table; write them so this "
        "test can read them (see its docstring):\n  " + "\n  ".join(out.unresolved)
    )


def test_the_refusal_codes_in_api_md_are_the_codes_the_source_can_raise():
    problem = mismatch(source_codes().codes, documented_codes())
    assert not problem, problem


# --- the collector itself, on small made-up sources ------------------------------------------

ERRORS = """
from dataclasses import dataclass

class DomainError(Exception):
    def __init__(self, code, message, status=None, **extra):
        self.code, self.message = code, message

class Conflict(DomainError):
    status = 409

class NotFound(DomainError):
    def __init__(self, what="record"):
        super().__init__("not_found", f"No such {what}.")

class RuleError(ValueError):
    def __init__(self, code, message, field=""):
        self.code, self.message = code, message

@dataclass(frozen=True)
class Refusal:
    code: str
    message: str

@dataclass(frozen=True)
class Factor:  # a code with a text, not a refusal
    code: str
    text: str
"""

SERVICES = """
from waypoint.core.errors import Conflict, DomainError, Factor, Refusal, RuleError
from waypoint.x import helpers

TABLE = {400: "from_a_table", 404: "also_from_the_table"}

def _refuse(code, detail, **extra):
    return DomainError(code, detail, 422, **extra)

def _choices(name, allowed, code):
    raise _refuse(code, "unknown " + name)

def parse(params):
    _choices("service", (), "through_two_forwarders")
    helpers.require(params, code="through_a_keyword")
    raise Conflict("a_literal", "text")

def handler(exc):
    code = TABLE.get(exc.status, "a_default")
    if exc.parse:
        code, detail = "a_tuple_assignment", "text"
    return {"code": code, "detail": "text"}

def rule():
    Factor("not_a_refusal", "text")
    RuleError("from_a_rule", "text", "field")
    return Refusal("a_dataclass_refusal", "text")

def reraise(exc):
    raise DomainError(exc.code, exc.message)
"""

HELPERS = """
from waypoint.core.errors import DomainError

def require(params, *, code):
    raise DomainError(code, "text")
"""

CLI = """
def _fail(message, code=1):
    print(message)

def main(username):
    _fail(f"unknown_user: no user {username!r}")
    _fail("a password is required")
"""


PACKAGE_INIT = """
from .checks import check_code
"""

PACKAGE_CHECKS = """
from waypoint.core.errors import DomainError

def check_code(code):
    raise DomainError(code, "text")

def _refuse(refusal):  # same name as a forwarder elsewhere, but passes no code on
    raise DomainError(refusal.code, refusal.message)
"""

PACKAGE_CALLER = """
from waypoint.y import rules

def use():
    rules.check_code("through_a_re_export")
    _refuse(None)
"""


def _made_up(**extra: str) -> dict[str, Module]:
    """Made-up modules by dotted file name (``waypoint.y.rules.__init__`` is a package)."""
    sources = {
        "waypoint.core.errors": ERRORS,
        "waypoint.x.services": SERVICES,
        "waypoint.x.helpers": HELPERS,
        "waypoint.cli": CLI,
        "waypoint.y.rules.__init__": PACKAGE_INIT,
        "waypoint.y.rules.checks": PACKAGE_CHECKS,
        "waypoint.y.caller": PACKAGE_CALLER,
        **extra,
    }
    modules = {}
    for dotted, text in sources.items():
        path = SRC / (dotted.split(".", 1)[1].replace(".", "/") + ".py")
        module = parse_module(_module_name(path), path, text)
        modules[module.name] = module
    return modules


def test_the_collector_follows_forwarders_tables_and_variables():
    out = collect_codes(_made_up())
    assert set(out.codes) == {
        "not_found",
        "from_a_table",
        "also_from_the_table",
        "through_two_forwarders",
        "through_a_keyword",
        "a_literal",
        "a_default",
        "a_tuple_assignment",
        "from_a_rule",
        "a_dataclass_refusal",
        "unknown_user",
        "through_a_re_export",
    }
    assert out.unresolved == []


def test_the_collector_reports_a_code_it_cannot_follow():
    computed = """
from waypoint.core.errors import DomainError

def refuse(kind):
    raise DomainError(kind.upper() + "_code", "text")
"""
    out = collect_codes(_made_up(**{"waypoint.x.computed": computed}))
    assert len(out.unresolved) == 1
    assert "x/computed.py:5" in out.unresolved[0]


def test_the_docs_are_read_from_the_refusal_tables_only():
    text = """# The API

Say `not_a_code` here.

## Refusals

| status | code | when |
|---|---|---|
| 409 | `one` / `two` | when `not_a_code_either` |
| 409 | `three` / 422 `four` | text |

More tables:

| status | code | when |
|---|---|---|
| exit 1 | `five` | text |

## Endpoints

| method and path | who | what |
|---|---|---|
| `GET /x` | `six` | `seven` |
"""
    assert documented_codes(text) == {"one", "two", "three", "four", "five"}


def test_a_mismatch_names_the_codes_missing_on_either_side():
    problem = mismatch({"raised_only": {"a.py:1"}, "both": {"b.py:2"}}, {"both", "doc_only"})
    assert "raised_only  (a.py:1)" in problem
    assert "doc_only" in problem
    assert "both" not in problem
    assert mismatch({"both": {"b.py:2"}}, {"both"}) == ""
