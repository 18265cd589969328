"""The house of DESIGN.md, held by a test: imports run one way, every app has the same rooms,
and the product never imports the demo or the benchmarks.

Read from the source files (no import), so that a module added against the rules fails here
before anyone has to learn a sixth app layout.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# DESIGN.md's order: an app imports only from the apps before it (reports and privacy sit
# side by side at the top). The project shell (portal settings, urls, celery) may import all.
LAYERS = {
    "portal.core": 0,
    "members": 1,
    "events": 2,
    "publications": 3,
    "infodoc": 4,
    "newsletter": 5,
    "portal.reports": 6,
    "portal.privacy": 6,
}
APPS = [layer for layer in LAYERS if layer != "portal.core"]

# The rooms of DESIGN.md ("Inside an app"), each a module or a package, never both.
ROOMS = {
    "models", "services", "selectors", "views", "admin", "forms", "filters", "urls", "imports",
    "tasks", "privacy", "emails",
}  # fmt: skip
# Other names an app may hold: Django's own, and one module per sub-domain of its own.
DJANGO = {"__init__", "apps", "migrations", "management", "templatetags"}
SUB_DOMAINS = {
    "members": {"documents", "facturx"},
    "events": {"documents", "feeds", "ical", "sitemaps"},
    "publications": {"feeds", "oai", "search", "sitemaps", "validators"},
    "infodoc": {"sitemaps"},
    "newsletter": {"rendering", "tokens", "webhooks"},
    "portal.reports": {"charts", "exports", "pdf"},
    "portal.privacy": {"registry", "retention"},
}
OUTSIDE_THE_PRODUCT = ("demo", "bench")


def _path(dotted: str) -> Path:
    return ROOT / dotted.replace(".", "/")


def _product_files() -> list[Path]:
    files = []
    for directory in ("portal", *{app.split(".")[0] for app in APPS}):
        files += (ROOT / directory).rglob("*.py")
    return sorted(path for path in files if "migrations" not in path.parts)


def _layer_of(dotted: str) -> str | None:
    return next(
        (layer for layer in LAYERS if dotted == layer or dotted.startswith(layer + ".")), None
    )


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module the file imports, at the top or inside a function, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_imports_run_one_way():
    wrong = []
    for path in _product_files():
        home = _layer_of(_module(path))
        if home is None:  # the project shell
            continue
        for line, target in _imports(path):
            layer = _layer_of(target)
            if layer is not None and LAYERS[layer] > LAYERS[home]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert wrong == [], "imports against DESIGN.md's order:\n" + "\n".join(wrong)


def test_no_app_imports_another_apps_views_or_forms():
    """An app reads another's data through its selectors and changes it through its services."""
    wrong = []
    for path in _product_files():
        home = _layer_of(_module(path))
        for line, target in _imports(path):
            layer = _layer_of(target)
            if home is None or layer in (None, home, "portal.core"):  # core's are shared
                continue
            rest = target[len(layer) + 1 :].split(".")
            if rest[0] in ("views", "forms"):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert wrong == [], "\n".join(wrong)


def test_the_product_never_imports_the_demo_or_the_benchmarks():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in _product_files()
        for line, target in _imports(path)
        if target.split(".")[0] in OUTSIDE_THE_PRODUCT
    ]
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_the_same_rooms(app):
    """A layer is a module or a package, never both, and never a `views_space.py` beside
    `views/`: anything else in an app is a room or one of its own sub-domains."""
    root = _path(app)
    names = {path.stem for path in root.glob("*.py")} | {
        path.name for path in root.iterdir() if path.is_dir() and path.name != "__pycache__"
    }
    both = sorted(
        name for name in names if (root / f"{name}.py").exists() and (root / name).is_dir()
    )
    assert both == [], f"{app}: a module and a package of the same name: {both}"
    strangers = sorted(names - ROOMS - DJANGO - SUB_DOMAINS[app])
    assert strangers == [], (
        f"{app}: {strangers} is not a room of DESIGN.md; put it in its room "
        "(selectors/space.py, not selectors_space.py; demo data in demo/, datasets in bench/)"
    )


@pytest.mark.parametrize("app", [app for app in APPS if app != "portal.reports"])
def test_the_same_thing_has_the_same_name(app):
    """The member space's pages are in views/space.py, the figures an app gives the annual
    report (portal.reports gathers them) in selectors/figures.py: wherever an app has them."""
    root = _path(app)
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        if "@space_view(" in text and not relative.startswith(("views/space.py", "views.py")):
            pytest.fail(f"{app}/{relative}: member-space pages belong in views/space.py")
        if "def " in text and "_figures(" in text and relative.startswith("selectors"):
            defines = [
                node.name
                for node in ast.parse(text).body
                if isinstance(node, ast.FunctionDef) and node.name.endswith("_figures")
            ]
            if defines and relative != "selectors/figures.py":
                pytest.fail(
                    f"{app}/{relative} defines {defines}: figures go in selectors/figures.py"
                )
