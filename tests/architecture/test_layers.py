"""The packages of openscc form layers: a module imports its own package and the packages before
its own in ``ORDER``, never one after it (docs/architecture.md, "Layers"). An import up the layers
is how a lower package grows to need the whole program: the HTTP layer knowing HA's internals, the
settings knowing the user directory."""

from __future__ import annotations

from support.imports import import_graph

# Bottom first. Within a layer, the order is the order of dependence too.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("openscc", "errors", "logsafe", "fileio", "layout", "settings", "props", "faults",
                    "kinds", "cloud", "background")),
    ("HTTP edge", ("header_casing", "http_edge", "tls_edge")),
    ("store", ("store",)),
    ("domain", ("audit", "config", "auth")),
    ("instance", ("instance",)),
    ("backup", ("backup", "client")),
    ("operations", ("monitoring", "alerts", "ha", "schedules")),
    ("runtime", ("runtime",)),
    ("HTTP API", ("web", "api")),
    ("entry points", ("app", "server", "cli", "__main__")),
)  # fmt: skip
ORDER = [package for _, packages in LAYERS for package in packages]


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "openscc"


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a package that comes later in ORDER than the importing one."""
    found = []
    for module, targets in sorted(graph.items()):
        rank = ORDER.index(package_of(module))
        for target in sorted(targets):
            if ORDER.index(package_of(target)) > rank:
                found.append(f"{module} -> {target}")
    return found


def test_every_package_has_a_place_in_the_layers() -> None:
    packages = {package_of(module) for module in import_graph()}

    assert packages == set(ORDER)
    assert len(ORDER) == len(set(ORDER))


def test_no_module_imports_up_the_layers() -> None:
    assert upward_imports(import_graph()) == []


def test_an_upward_import_is_found() -> None:
    graph = {"openscc.settings": {"openscc.auth.users"}, "openscc.auth.users": {"openscc.errors"}}

    assert upward_imports(graph) == ["openscc.settings -> openscc.auth.users"]
