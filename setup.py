"""Build hook: ship the top-level `cards/`, `assets/` and the desktop entry inside the `trainer` package.

The checkout keeps decks and icons at the top level (where authors edit them); a wheel needs them inside the
package, read with importlib.resources. `build_py` copies them to `trainer/shipped/` in the build folder only, so
the checkout is never changed. An editable install skips the copy: `trainer.paths` finds the checkout's folders.
Everything else about the build is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: (source in the checkout, glob, destination inside the package)
SHIPPED = (
    ("cards", "*.toml", "trainer/shipped/cards"),
    ("assets", "icon*", "trainer/shipped/assets"),
    ("packaging", "*.desktop", "trainer/shipped/desktop"),
)


class BuildWithShippedData(build_py):
    """build_py that also copies the shipped decks, icons and desktop entry into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        shutil.rmtree(Path(self.build_lib) / "trainer" / "shipped", ignore_errors=True)  # no stale files
        for source, pattern, destination in SHIPPED:
            files = sorted((ROOT / source).glob(pattern))
            if not files:
                raise SystemExit(f"build: nothing matches {source}/{pattern}: the wheel would ship without it")
            target = Path(self.build_lib) / destination
            target.mkdir(parents=True, exist_ok=True)
            for file in files:
                shutil.copy2(file, target / file.name)


setup(cmdclass={"build_py": BuildWithShippedData})
