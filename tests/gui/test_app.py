"""The application shell: icon at every size, the desktop entry, and the names desktops match them by."""

from __future__ import annotations

import configparser

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.conftest import REPO
from trainer.ui.app import ICON_SIZES, app_icon, make_application

pytestmark = pytest.mark.gui


def test_icon_is_rendered_at_every_size(qapp: QApplication) -> None:
    for size in ICON_SIZES:
        image = QImage(str(REPO / "assets" / f"icon-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
    icon = app_icon()
    assert not icon.isNull()
    assert {(s.width(), s.height()) for s in icon.availableSizes()} >= {(s, s) for s in ICON_SIZES}
    assert not icon.pixmap(QSize(48, 48)).isNull()


def test_application_names_match_the_desktop_entry(qapp: QApplication) -> None:
    app = make_application()
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(REPO / "packaging" / "interview-trainer.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"] == "trainer"
    assert desktop["Icon"] == "interview-trainer"
    assert desktop["Categories"] == "Education;"
    assert app.desktopFileName() == "interview-trainer"
    assert app.applicationDisplayName() == desktop["Name"] == "Interview Trainer"
    assert not app.windowIcon().isNull()
