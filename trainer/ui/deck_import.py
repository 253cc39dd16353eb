"""File > Import deck...: a CSV file or an Anki export becomes a deck in the user's deck folder.

The reading and writing run on the window's JobRunner (an .apkg is unzipped and queried); the result comes back
by signal and is shown in a window-modal message that never blocks the event loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from trainer import paths
from trainer.importers import DeckExists, DeckImportError, ImportResult, import_file
from trainer.ui.workers import Job, JobRunner

FILE_FILTER = "Decks to import (*.csv *.tsv *.txt *.apkg);;CSV (*.csv *.tsv);;Anki (*.txt *.apkg);;All files (*)"


class DeckImporter(QObject):
    """Imports a file on the runner, then says what happened; `imported` carries the result."""

    imported = Signal(object)  # ImportResult
    failed = Signal(str)

    def __init__(self, runner: JobRunner, parent: QWidget, deck_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.window = parent
        self.deck_dir = deck_dir
        self.message: QMessageBox | None = None

    def target_dir(self) -> Path:
        return self.deck_dir or paths.user_deck_dir()

    def choose_and_import(self) -> None:
        """Ask for a file, then import it (asking before replacing a deck of the same name)."""
        path, _ = QFileDialog.getOpenFileName(self.window, "Import deck", str(Path.home()), FILE_FILTER)
        if path:
            self.import_path(Path(path))

    def import_path(self, source: Path, *, overwrite: bool = False) -> Job:
        deck_dir = self.target_dir()

        def work(job: Job) -> Any:
            return import_file(source, deck_dir=deck_dir, overwrite=overwrite)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DeckExists) and not overwrite:
                self._ask_to_replace(source, exc.path)
            else:
                self._failed(exc)

        return self.runner.start("import deck", work, succeeded=self._succeeded, failed=failed)

    def _ask_to_replace(self, source: Path, existing: Path) -> None:
        """A deck of that name exists: replace it only if the user says so (nothing is replaced silently)."""
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
        text = f"{existing} already exists. Replace it with the cards from {source.name}?"
        self.message = QMessageBox(QMessageBox.Icon.Question, "Replace the deck?", text, buttons, self.window)
        self.message.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self.import_path(source, overwrite=True)
            else:
                self.failed.emit(f"{existing} already exists; kept as it was")

        self.message.finished.connect(answered)
        self.message.open()

    def _succeeded(self, result: ImportResult) -> None:
        text = f"Imported {result.cards} card(s) into {result.path.name}."
        if result.proposed:
            text += (
                f"\n\n{len(result.proposed)} card(s) have key points proposed from their answers. Check them in "
                f"{result.path} and delete each card's review line; `trainer check` lists them."
            )
        self._show(QMessageBox.Icon.Information, "Deck imported", text)
        self.imported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        reason = str(exc) if isinstance(exc, DeckImportError | OSError) else f"{type(exc).__name__}: {exc}"
        self._show(QMessageBox.Icon.Warning, "Cannot import the deck", reason)
        self.failed.emit(reason)

    def _show(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        self.message = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.window)
        self.message.open()  # window-modal, returns at once
