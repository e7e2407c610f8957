"""The shape of the code, read from the source with `ast` (no Django, no database).

Each app keeps to its own layer, so a change in one place cannot quietly break another:
- imports sit at the top of a module, where a cycle shows at once, not inside functions where it hides;
- no two project modules import each other, directly or round a loop;
- an app never imports another app's views (views are the outermost layer: they use services, not each other);
- template tags only format: they do not start writes or queue work (`services`, `tasks`);
- the pure modules (scoring, agreement, charts, reports, tone, rubric diff) depend on nothing but the standard
  library and each other, so they run, and are tested, without Django, a database or a worker.

Every failure names the file and line to change.
"""

import ast
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGES = ("assetlens", "rubrics", "products", "audits", "committees", "notifications", "outbox", "people",
            "vendorpages")
SKIPPED_DIRS = {"migrations", "tests", "__pycache__"}
PURE_MODULES = frozenset({
    "audits.scoring", "committees.agreement", "committees.charts", "committees.reports", "products.tone",
    "rubrics.diff", "vendorpages.textdiff", "products.inventory", "assetlens.names",
})
STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted name of the importing module
    target: str  # dotted name of what is imported (a module, or the module a name is taken from)
    line: int
    nested_in: str | None  # the enclosing function's qualified name, None at module (or class) level
    type_checking_only: bool
    allowed_nested: bool  # inside a management command's handle() or a Celery signal handler

    @property
    def top(self):
        return self.target.split(".")[0]

    @property
    def is_project(self):
        return self.top in PACKAGES


@dataclass
class Module:
    name: str
    path: Path
    imports: list[Import] = field(default_factory=list)

    @property
    def relpath(self):
        return self.path.relative_to(BASE_DIR).as_posix()

    @property
    def is_package(self):
        return self.path.name == "__init__.py"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(BASE_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve_relative(module: "Module", level: int, name: str | None) -> str:
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join(base + ([name] if name else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _celery_signal_names(tree: ast.Module) -> set[str]:
    """Names this module binds to Celery signals: `from celery.signals import x` / `from celery import signals`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("celery.signals", "celery"):
            for alias in node.names:
                if node.module == "celery.signals" or alias.name == "signals":
                    names.add(alias.asname or alias.name)
    return names


def _is_celery_signal_handler(func: ast.FunctionDef | ast.AsyncFunctionDef, signal_names: set[str]) -> bool:
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        # @task_failure.connect, @signals.task_failure.connect, @task_failure.connect(sender=...)
        if isinstance(target, ast.Attribute) and target.attr == "connect":
            root = target.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in signal_names:
                return True
    return False


class _ImportCollector(ast.NodeVisitor):
    def __init__(self, module: Module, tree: ast.Module, all_modules: set[str]):
        self.module = module
        self.all_modules = all_modules
        self.signal_names = _celery_signal_names(tree)
        self.is_command = "/management/commands/" in f"/{module.relpath}"
        self.scope: list[str] = []  # enclosing classes and functions, for the message
        self.function_depth = 0
        self.allowed_depth = 0
        self.type_checking = 0

    def visit_ClassDef(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def _function(self, node):
        # A command's Command.handle() (not a helper nested in something else), or a Celery signal handler.
        allowed = (self.is_command and self.function_depth == 0 and node.name == "handle") or (
            _is_celery_signal_handler(node, self.signal_names))
        self.scope.append(node.name)
        self.function_depth += 1
        self.allowed_depth += allowed
        self.generic_visit(node)
        self.allowed_depth -= allowed
        self.function_depth -= 1
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_If(self, node):
        if _is_type_checking(node.test):
            self.type_checking += 1
            for child in node.body:
                self.visit(child)
            self.type_checking -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def _add(self, target, line):
        self.module.imports.append(Import(
            importer=self.module.name, target=target, line=line,
            nested_in=".".join(self.scope) if self.function_depth else None,
            type_checking_only=self.type_checking > 0,
            allowed_nested=self.allowed_depth > 0,
        ))

    def visit_Import(self, node):
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_Call(self, node):
        # importlib.import_module("audits.tasks") / __import__("audits.tasks") is an import too, just harder to see.
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant) and (
                isinstance(node.args[0].value, str)):
            self._add(node.args[0].value, node.lineno)
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        base = _resolve_relative(self.module, node.level, node.module) if node.level else node.module
        for alias in node.names:
            # `from audits import views` imports the module audits.views; `from audits.models import Audit`
            # imports from audits.models.
            candidate = f"{base}.{alias.name}"
            self._add(candidate if candidate in self.all_modules else base, node.lineno)


@cache
def project_modules() -> dict[str, Module]:
    paths = []
    for package in PACKAGES:
        for path in sorted((BASE_DIR / package).rglob("*.py")):
            if SKIPPED_DIRS.isdisjoint(path.relative_to(BASE_DIR).parts):
                paths.append(path)
    modules = {_module_name(p): Module(_module_name(p), p) for p in paths}
    for module in modules.values():
        tree = ast.parse(module.path.read_text(), filename=str(module.path))
        _ImportCollector(module, tree, set(modules)).visit(tree)
    return modules


def _where(imp: Import) -> str:
    module = project_modules()[imp.importer]
    scope = f" (in {imp.nested_in}())" if imp.nested_in else ""
    return f"{module.relpath}:{imp.line}: imports {imp.target}{scope}"


def _app_of(module_name: str) -> str:
    return module_name.split(".")[0]


def _project_target(imp: Import) -> str | None:
    """The project module an import loads, or None for django, celery, the standard library and the like."""
    if not imp.is_project:
        return None
    modules = project_modules()
    target = imp.target
    while target and target not in modules:  # `import audits.models.Audit` style; never for a real module
        target = target.rpartition(".")[0]
    return target or None


def _report(offenders: list[str], what: str) -> str:
    listing = "\n  ".join(offenders)
    print(f"{what}:\n  {listing}")
    return f"{what}:\n  {listing}"


# --- The walk itself finds the code -------------------------------------------------------------------


def test_the_walk_sees_every_app_and_the_pure_modules():
    modules = project_modules()
    assert {name.split(".")[0] for name in modules} == set(PACKAGES)
    assert PURE_MODULES <= set(modules), f"pure modules missing: {sorted(PURE_MODULES - set(modules))}"
    assert not [m for m in modules.values() if SKIPPED_DIRS & set(m.path.relative_to(BASE_DIR).parts)]
    # A sanity check that the import reading works: views import their own app's models one way or another.
    assert any(_project_target(i) == "audits.models" for i in modules["audits.views"].imports)


# --- (a) Imports at the top, where a cycle shows -------------------------------------------------------


def test_no_project_import_is_hidden_inside_a_function():
    """A function-level import of our own code usually papers over a cycle; it also fails late, at first call.
    Allowed only in a management command's handle() and in a Celery signal handler."""
    offenders = [
        _where(imp) for module in project_modules().values() for imp in module.imports
        if imp.nested_in and imp.is_project and not imp.allowed_nested
    ]
    assert not offenders, _report(offenders, "Project imports inside functions (move them to the top of the module)")


# --- (b) No cycles between project modules -------------------------------------------------------------


def _module_graph() -> dict[str, dict[str, int]]:
    """importer → {imported project module: line}, for imports that run when the module is imported.
    Importing `a.b` also runs the package `a`'s __init__, so that is an edge too."""
    modules = project_modules()
    graph: dict[str, dict[str, int]] = {name: {} for name in modules}
    for module in modules.values():
        for imp in module.imports:
            if imp.nested_in or imp.type_checking_only:
                continue
            target = _project_target(imp)
            if target is None:
                continue
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                dependency = ".".join(parts[:i])
                # A package's own __init__ and its parents are loaded before any module in it anyway.
                if dependency in modules and dependency != module.name and not module.name.startswith(
                        dependency + "."):
                    graph[module.name].setdefault(dependency, imp.line)
    return graph


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each as one cycle through them."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = [0]

    def connect(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                components.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for node in sorted(graph):
            if node not in index:
                connect(node)
    finally:
        sys.setrecursionlimit(limit)

    cycles = []
    for component in components:
        members = set(component)
        # One concrete loop through the component: breadth-first from its first module back to itself.
        start = component[0]
        paths = {start: [start]}
        queue = [start]
        loop = None
        while queue and loop is None:
            current = queue.pop(0)
            for nxt in sorted(graph[current]):
                if nxt not in members:
                    continue
                if nxt == start:
                    loop = paths[current] + [start]
                    break
                if nxt not in paths:
                    paths[nxt] = paths[current] + [nxt]
                    queue.append(nxt)
        cycles.append(loop or component)
    return cycles


def test_no_import_cycles_between_project_modules():
    graph = _module_graph()
    modules = project_modules()
    described = []
    for loop in _cycles(graph):
        steps = [f"{modules[a].relpath}:{graph[a][b]} ({a} -> {b})" for a, b in zip(loop, loop[1:], strict=False)]
        described.append(" -> ".join(loop) + "\n    " + "\n    ".join(steps))
    assert not described, _report(described, "Import cycles between project modules")


def test_the_cycle_finder_finds_a_cycle_and_names_it():
    graph = {"a.x": {"a.y": 1}, "a.y": {"a.z": 2}, "a.z": {"a.x": 3}, "b.w": {"a.x": 4}}
    assert _cycles(graph) == [["a.x", "a.y", "a.z", "a.x"]]
    assert _cycles({"a.x": {"a.y": 1}, "a.y": {}}) == []


# --- (c) Views stay the outermost layer -----------------------------------------------------------------


def test_no_module_imports_another_apps_views():
    offenders = []
    for module in project_modules().values():
        for imp in module.imports:
            target = _project_target(imp)
            if target and target.split(".")[-1] == "views" and _app_of(target) != _app_of(module.name):
                offenders.append(_where(imp))
    assert not offenders, _report(offenders, "Modules importing another app's views (share a service instead)")


# --- (d) Template tags only format ----------------------------------------------------------------------


def test_template_tags_import_no_services_or_tasks():
    offenders = []
    for module in project_modules().values():
        if ".templatetags." not in f".{module.name}.":
            continue
        for imp in module.imports:
            target = _project_target(imp)
            if target and target.split(".")[-1] in ("services", "tasks"):
                offenders.append(_where(imp))
    assert not offenders, _report(offenders, "Template tags importing services or tasks")


def test_template_tag_modules_exist_so_the_rule_above_checks_something():
    assert [name for name in project_modules() if ".templatetags." in f".{name}."]


# --- (e) The pure modules stand alone -------------------------------------------------------------------


def test_pure_modules_import_only_the_standard_library_and_each_other():
    offenders = []
    for name in sorted(PURE_MODULES):
        for imp in project_modules()[name].imports:
            if imp.top in ("django", "celery"):
                offenders.append(_where(imp) + "  <- Django/Celery in a pure module")
            elif imp.is_project:
                target = _project_target(imp)
                if target not in PURE_MODULES:
                    offenders.append(_where(imp) + f"  <- {target} is not a pure module")
            elif imp.top not in STDLIB:
                offenders.append(_where(imp) + "  <- not in the standard library")
    assert not offenders, _report(offenders, "Pure modules importing more than the standard library and each other")
