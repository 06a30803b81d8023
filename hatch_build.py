"""Build hook: compile the analysis hot path with mypyc when a wheel is built; pure Python otherwise.

Why a hook of our own and not the `hatch-mypyc` plugin (0.16.0, its last release): it builds the
extensions in place and leaves the `.so` files in `services/` (ofek/hatch-mypyc#39), where they shadow
the `.py` files people edit (editable installs and pytest import from there), it renames
`pyproject.toml` while it builds, and it fails the whole build when there is no C compiler.
Here, with mypyc's own `mypycify` and setuptools:
- the sources are copied to a temporary directory and compiled there; nothing is written to the tree;
- editable installs (`pip install -e`) are always pure, so an edit to a `.py` file is what runs;
- `NEWSWATCH_PURE=1`, no compiler, no Python headers or a mypyc error give a pure-Python wheel (with a
  warning), unless `NEWSWATCH_REQUIRE_COMPILED=1` (CI, Docker), where they fail the build;
- the modules compiled are the `modules` globs of `[tool.hatch.build.targets.wheel.hooks.custom]`;
- its `extensions` are C sources of our own (one module each, named by its path under `services/`),
  built in the same setuptools run; a module that imports one keeps a pure fallback.
A compiled wheel holds the `.py` files too, but Python imports the `.so` beside them first.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# mypyc's semantics change between releases: the version whose output was tested (unit tests, snapshot).
MYPY_REQUIREMENT = "mypy==2.4.1"
# mypycify hands its extensions to setuptools' build_ext.
SETUPTOOLS_REQUIREMENT = "setuptools>=65"
PACKAGE_ROOT = "services"

SETUP_SCRIPT = """\
import os
import sys
from setuptools import Extension, setup
from mypyc.build import mypycify

args = sys.argv[1:]
cut = args.index("--c-extensions")
paths, sources = args[:cut], args[cut + 1 :]
own = [Extension(name, [src], extra_compile_args=["-O3"]) for name, src in zip(sources[::2], sources[1::2])]
# --parallel: the extensions (mypyc's library and shims, our C files) compile side by side
jobs = str(os.cpu_count() or 1)
sys.argv = sys.argv[:1] + ["build_ext", "--build-lib", "lib", "--build-temp", "tmp", "--parallel", jobs]
setup(name="newswatch-mypyc", ext_modules=mypycify(paths, opt_level="3", target_dir="c") + own)
"""


def _pure_requested() -> bool:
    return os.environ.get("NEWSWATCH_PURE", "") not in ("", "0")


def _compiled_required() -> bool:
    return os.environ.get("NEWSWATCH_REQUIRE_COMPILED", "") not in ("", "0")


class MypycHook(BuildHookInterface):
    PLUGIN_NAME = "newswatch-mypyc"
    _work: Path | None = None

    def dependencies(self) -> list[str]:
        # Asked before the build, without knowing whether it is editable: a pure build needs nothing.
        return [] if _pure_requested() else [MYPY_REQUIREMENT, SETUPTOOLS_REQUIREMENT]

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        if _pure_requested():
            self.app.display_info("newswatch: NEWSWATCH_PURE is set, building pure Python")
            return
        try:
            compiled = self._compile()
        except Exception as exc:
            if _compiled_required():
                raise
            self.app.display_warning(f"newswatch: mypyc compilation failed, building pure Python: {exc}")
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        build_data["force_include"].update(compiled)
        self.app.display_info(f"newswatch: compiled {len(compiled)} extension files with mypyc")

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        # The wheel holds its copies of the .so files by now.
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
            self._work = None

    def _modules(self) -> list[str]:
        """The .py files to compile, relative to the project root, from the `modules` globs."""
        patterns = self.config.get("modules", [])
        if not isinstance(patterns, list) or not patterns:
            raise ValueError("option `modules` of the newswatch mypyc hook must be a non-empty list")
        files: set[str] = set()
        for pattern in patterns:
            matched = glob.glob(pattern, root_dir=self.root, recursive=True)
            if not matched:
                raise ValueError(f"mypyc module pattern matches no file: {pattern}")
            files.update(m for m in matched if m.endswith(".py"))
        excluded: set[str] = set()
        for pattern in self.config.get("exclude", []):
            excluded.update(glob.glob(pattern, root_dir=self.root, recursive=True))
        return sorted(files - excluded)

    def _extensions(self) -> dict[str, str]:
        """Module name -> C source, from the `extensions` option (paths under `services/`)."""
        sources = self.config.get("extensions", [])
        if not isinstance(sources, list):
            raise ValueError("option `extensions` of the newswatch mypyc hook must be a list")
        named = {}
        for source in sources:
            path = Path(source)
            if path.suffix != ".c" or not (Path(self.root) / path).is_file():
                raise ValueError(f"C extension source not found: {source}")
            named[path.relative_to(PACKAGE_ROOT).with_suffix("").as_posix().replace("/", ".")] = source
        return named

    def _compile(self) -> dict[str, str]:
        """Compile in a temporary copy; map each built .so to its place in the wheel."""
        compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
        if shutil.which(compiler) is None:
            raise RuntimeError(f"no C compiler ({compiler})")
        include = sysconfig.get_paths()["include"]
        if not os.path.exists(os.path.join(include, "Python.h")):
            raise RuntimeError(f"no Python headers ({include}/Python.h)")
        modules = self._modules()
        extensions = self._extensions()
        work = self._work = Path(tempfile.mkdtemp(prefix="newswatch-mypyc-"))
        # The tree is copied so that mypy and setuptools write nothing into it (caches, build dirs).
        shutil.copytree(
            Path(self.root) / PACKAGE_ROOT,
            work / PACKAGE_ROOT,
            ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"),
        )
        shutil.copy(Path(self.root) / "pyproject.toml", work / "mypy.toml")
        (work / "setup.py").write_text(SETUP_SCRIPT, encoding="utf-8")
        # The project's [tool.mypy] settings apply (mypy_path "services" is relative to the cwd).
        args = ["--config-file", "mypy.toml", *modules, "--c-extensions"]
        for name, source in extensions.items():
            args += [name, source]
        proc = subprocess.run(
            [sys.executable, "setup.py", *args],
            cwd=work,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        if proc.returncode:
            tail = "\n".join(proc.stdout.splitlines()[-40:])
            raise RuntimeError(f"mypyc exited with {proc.returncode}:\n{tail}")
        lib = work / "lib"
        compiled = {str(p): p.relative_to(lib).as_posix() for p in lib.rglob("*.so")}
        compiled.update({str(p): p.relative_to(lib).as_posix() for p in lib.rglob("*.pyd")})
        expected = {Path(m).relative_to(PACKAGE_ROOT).with_suffix("").as_posix() for m in modules}
        expected.update(name.replace(".", "/") for name in extensions)
        built = {dest.split(".")[0] for dest in compiled.values()}
        missing = expected - built
        if missing:
            raise RuntimeError(f"mypyc built no extension for {sorted(missing)}")
        return compiled
