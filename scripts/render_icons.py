#!/usr/bin/env python3
"""Render assets/icon.svg to the PNG sizes desktops and window managers ask for.

Uses Qt's own SVG renderer (QtSvg ships in PySide6-Essentials), so no extra tool is needed and the PNGs match
what the app draws from the SVG. Run again after editing the SVG:

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/render_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256, 512)
ASSETS = Path(__file__).resolve().parent.parent / "assets"


def render(svg: Path, out_dir: Path, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Write icon-<size>.png for each size; returns the files written."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {svg} is not a valid SVG")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        path = out_dir / f"icon-{size}.png"
        if not image.save(str(path)):  # PNG, from the suffix
            raise SystemExit(f"render_icons: could not write {path}")
        written.append(path)
    return written


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for path in render(ASSETS / "icon.svg", ASSETS):
        print(path.relative_to(ASSETS.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
