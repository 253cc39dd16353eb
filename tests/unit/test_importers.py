"""Deck import: spreadsheets (CSV) and Anki (plain-text export, .apkg packages) become decks that load.

The .apkg files are made here the way Anki writes them: a zip holding an SQLite collection with Anki's tables,
notes' fields joined by U+001F, and the note types in `col.models` JSON.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from trainer.deck import REVIEW_IMPORTED, Severity, check_deck, load_deck
from trainer.importers import DeckImportError, import_file, propose_key_points, read_cards

DI_ANSWER = (
    "Dependency injection means a function declares what it needs and FastAPI provides it. "
    "You write a parameter with Depends and FastAPI calls that dependency for every request. "
    "Dependencies can depend on other dependencies, and their results are cached within one request."
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def trainer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args], capture_output=True, text=True, timeout=120, check=False
    )


# --- CSV ---------------------------------------------------------------------------------------------------


def test_csv_with_header_in_any_order_keeps_given_key_points_and_tags(tmp_path: Path) -> None:
    source = write(
        tmp_path / "interview.csv",
        "Tags,Answer,Question,Key points\n"
        'theory async,"Async endpoints run on the event loop; def endpoints run in a threadpool.",'
        '"When do you use async def?","event loop; threadpool | blocking calls"\n',
    )
    result = import_file(source, deck_dir=tmp_path / "decks")
    deck = load_deck(result.path)
    (card,) = deck.cards
    assert card.question == "When do you use async def?"
    assert [p.text for p in card.key_points] == ["event loop", "threadpool", "blocking calls"]
    assert card.tags == ("theory", "async") and card.level == "theory"
    assert card.review is None and result.proposed == ()
    assert result.path == tmp_path / "decks" / "interview.toml"


def test_csv_without_key_points_gets_proposals_marked_for_review(tmp_path: Path) -> None:
    source = write(tmp_path / "di.csv", f'question,answer\n"What is dependency injection in FastAPI?","{DI_ANSWER}"\n')
    result = import_file(source, deck_dir=tmp_path, title="DI")
    deck, problems = check_deck(result.path)
    assert deck is not None
    (card,) = deck.cards
    assert card.id == "what-is-dependency-injection-in-fastapi"
    assert card.review == REVIEW_IMPORTED and result.proposed == (card.id,)
    assert card.level == "basics"  # the default level, since the row had none
    texts = [p.text for p in card.key_points]
    assert 3 <= len(texts) <= 6
    assert texts[0].startswith("Dependency injection means")
    assert all(len(t.split()) <= 8 for t in texts)
    warnings = [p for p in problems if p.field == "review"]
    assert len(warnings) == 1 and warnings[0].severity is Severity.WARNING and "trainer import" in warnings[0].message


def test_csv_without_header_semicolon_separated(tmp_path: Path) -> None:
    source = write(
        tmp_path / "plain.csv",
        "What is Pydantic?;It validates data with type hints.;type hints|validation|models;basics\n"
        "What is Depends?;It declares a dependency.;dependency;tricky\n",
    )
    cards = read_cards(source).cards
    assert [c.question for c in cards] == ["What is Pydantic?", "What is Depends?"]
    assert cards[0].key_points == ("type hints", "validation", "models") and cards[1].tags == ("tricky",)


def test_csv_rows_without_an_answer_are_all_named_by_line(tmp_path: Path) -> None:
    source = write(tmp_path / "bad.csv", "question,answer\nOne?,Yes.\nTwo?,\n,Only an answer\nFour?,Yes.\n")
    with pytest.raises(DeckImportError) as error:
        read_cards(source)
    message = str(error.value)
    assert "bad.csv:3: no answer" in message and "bad.csv:4: no question" in message
    assert "2 row(s)" in message


def test_same_questions_get_distinct_ids_and_an_existing_deck_is_kept(tmp_path: Path) -> None:
    source = write(tmp_path / "dup.csv", "question,answer\nWhat is ASGI?,A server interface.\nWhat is ASGI?,Again.\n")
    result = import_file(source, deck_dir=tmp_path)
    assert [c.id for c in load_deck(result.path).cards] == ["what-is-asgi", "what-is-asgi-2"]
    before = result.path.read_text(encoding="utf-8")
    with pytest.raises(DeckImportError, match="already exists"):
        import_file(source, deck_dir=tmp_path)
    assert result.path.read_text(encoding="utf-8") == before


def test_proposals_follow_the_answer_sentences() -> None:
    points = propose_key_points(DI_ANSWER)
    # One per sentence, in order, each the start of its sentence cut to at most 8 words.
    assert len(points) == 3
    sentences = DI_ANSWER.split(". ")
    for point, sentence in zip(points, sentences, strict=True):
        assert sentence.startswith(point) and len(point.split()) <= 8
    assert propose_key_points("") == ()


# --- Anki plain text ---------------------------------------------------------------------------------------


def test_anki_plain_text_export_with_header_html_and_tags(tmp_path: Path) -> None:
    source = write(
        tmp_path / "anki.txt",
        "#separator:tab\n#html:true\n#notetype column:1\n#deck column:2\n#tags column:5\n"
        "Basic\tJobs::FastAPI\tWhat is <b>ASGI</b>?\t"
        "The async server interface.<br>Uvicorn speaks it.\tfastapi::servers\n"
        'Basic\tJobs::FastAPI\t"Why 422,\tnot 400?"\tValidation &amp; parsing failed.\t\n',
    )
    imported = read_cards(source)
    assert imported.title == "FastAPI"  # from the deck column
    cards = imported.cards
    assert cards[0].question == "What is ASGI?"
    assert cards[0].answer == "The async server interface.\nUvicorn speaks it."
    assert cards[0].tags == ("fastapi-servers",)
    # The quoted tab stays inside the field (HTML whitespace then collapses to a space).
    assert cards[1].question == "Why 422, not 400?" and cards[1].answer == "Validation & parsing failed."


def test_old_anki_plain_text_without_header(tmp_path: Path) -> None:
    source = write(tmp_path / "old.txt", "Front one\tBack one\nFront two\tBack two\n")
    assert [(c.question, c.answer) for c in read_cards(source).cards] == [
        ("Front one", "Back one"),
        ("Front two", "Back two"),
    ]


# --- .apkg -------------------------------------------------------------------------------------------------

ANKI_SCHEMA = """
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null, scm integer not null,
  ver integer not null, dty integer not null, usn integer not null, ls integer not null, conf text not null,
  models text not null, decks text not null, dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null, mod integer not null,
  usn integer not null, tags text not null, flds text not null, sfld integer not null, csum integer not null,
  flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null, ord integer not null,
  mod integer not null, usn integer not null, type integer not null, queue integer not null, due integer not null,
  ivl integer not null, factor integer not null, reps integer not null, lapses integer not null,
  left integer not null, odue integer not null, odid integer not null, flags integer not null, data text not null);
"""
BASIC_REVERSED = 1342697561419  # a note type whose answer field is not the second one
CLOZE = 1342697561420
DECK_ID = 1690000000001


def make_apkg(path: Path, notes: list[tuple[int, list[str], str]], member: str = "collection.anki21") -> Path:
    """An Anki package holding these notes (note type id, fields, tags) in a deck named 'Interviews::FastAPI'."""
    models = {
        str(BASIC_REVERSED): {
            "id": BASIC_REVERSED,
            "name": "Basic (with source)",
            "type": 0,
            "flds": [{"name": "Source", "ord": 2}, {"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}],
        },
        str(CLOZE): {"id": CLOZE, "name": "Cloze", "type": 1, "flds": [{"name": "Text", "ord": 0}]},
    }
    decks = {"1": {"id": 1, "name": "Default"}, str(DECK_ID): {"id": DECK_ID, "name": "Interviews::FastAPI"}}
    collection = path.with_suffix(".sqlite")
    db = sqlite3.connect(collection)
    db.executescript(ANKI_SCHEMA)
    db.execute(
        "INSERT INTO col VALUES (1, 0, 0, 0, 11, 0, 0, 0, '{}', ?, ?, '{}', '{}')",
        (json.dumps(models), json.dumps(decks)),
    )
    for n, (mid, fields, tags) in enumerate(notes, 1):
        note_id = 1700000000000 + n
        db.execute(
            "INSERT INTO notes VALUES (?, ?, ?, 0, 0, ?, ?, ?, 0, 0, '')",
            (note_id, f"guid{n}", mid, f" {tags} " if tags else "", "\x1f".join(fields), fields[0]),
        )
        db.execute(
            "INSERT INTO cards VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')", (n, note_id, DECK_ID)
        )
    db.commit()
    db.close()
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(collection, member)
        archive.writestr("media", "{}")
    collection.unlink()
    return path


def test_apkg_notes_become_cards_with_the_deck_name_as_title(tmp_path: Path) -> None:
    package = make_apkg(
        tmp_path / "fastapi.apkg",
        [
            (
                BASIC_REVERSED,
                ["What is a <i>path</i> parameter?", "Part of the URL path.<br/>It is required.", "book"],
                "fastapi basics",
            ),
            (CLOZE, ["FastAPI validates requests with {{c1::Pydantic::library}}.", ""], ""),
        ],
    )
    result = import_file(package, deck_dir=tmp_path / "decks")
    deck = load_deck(result.path)
    assert deck.title == "FastAPI" and deck.id == "fastapi"
    path_card, cloze_card = deck.cards
    assert path_card.question == "What is a path parameter?"
    assert path_card.answer == "Part of the URL path.\nIt is required."  # Back, not the first field 'Source'
    assert path_card.tags == ("fastapi", "basics")
    assert cloze_card.question == "FastAPI validates requests with [...]."
    assert cloze_card.answer == "FastAPI validates requests with Pydantic."
    assert {c.review for c in deck.cards} == {REVIEW_IMPORTED}


def test_old_collection_name_is_read_too(tmp_path: Path) -> None:
    package = make_apkg(tmp_path / "old.apkg", [(BASIC_REVERSED, ["Q?", "A.", "src"], "")], member="collection.anki2")
    assert [(c.question, c.answer) for c in read_cards(package).cards] == [("Q?", "A.")]


def test_newer_compressed_package_and_other_zips_are_refused_clearly(tmp_path: Path) -> None:
    newer = tmp_path / "new.apkg"
    with zipfile.ZipFile(newer, "w") as archive:
        archive.writestr("collection.anki21b", b"\x28\xb5\x2f\xfd")
    with pytest.raises(DeckImportError, match="Support older Anki versions"):
        read_cards(newer)
    not_zip = write(tmp_path / "text.apkg", "hello")
    with pytest.raises(DeckImportError, match="not a zip file"):
        read_cards(not_zip)


# --- the command -------------------------------------------------------------------------------------------


def test_trainer_import_then_check_warns_until_the_review_line_is_deleted(tmp_path: Path) -> None:
    source = write(tmp_path / "di.csv", f'question,answer\nWhat is DI?,"{DI_ANSWER}"\n')
    out = tmp_path / "di.toml"
    result = trainer("import", str(source), "--output", str(out), "--title", "Dependency injection")
    assert result.returncode == 0, result.stderr
    assert f"Imported 1 card(s) from {source} into {out}" in result.stdout
    assert "proposed key points" in result.stdout

    checked = trainer("check", str(out))
    assert checked.returncode == 0 and "warning: key points were proposed by `trainer import`" in checked.stdout
    out.write_text(out.read_text(encoding="utf-8").replace(f'review = "{REVIEW_IMPORTED}"\n', ""), encoding="utf-8")
    checked = trainer("check", str(out))
    assert checked.returncode == 0 and "trainer import" not in checked.stdout

    listed = trainer("decks", str(tmp_path))
    assert "Dependency injection" in listed.stdout


def test_trainer_import_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    result = trainer("import", str(tmp_path / "missing.csv"))
    assert result.returncode == 2 and "no such file" in result.stderr and "Traceback" not in result.stderr
    odd = write(tmp_path / "deck.xlsx", "x")
    result = trainer("import", str(odd))
    assert result.returncode == 2 and "--format" in result.stderr


def test_shipped_deck_round_trips_through_csv(tmp_path: Path) -> None:
    """A CSV made from the FastAPI deck imports back to the same questions, answers and key points."""
    import csv

    deck = load_deck(REPO / "cards" / "fastapi.toml")
    source = tmp_path / "fastapi.csv"
    with source.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "question", "answer", "key_points", "tags"])
        for card in deck.cards:
            writer.writerow(
                [card.id, card.question, card.answer, "; ".join(p.text for p in card.key_points), " ".join(card.tags)]
            )
    imported = load_deck(import_file(source, deck_dir=tmp_path / "decks").path)
    assert [(c.id, c.question, c.answer, c.tags) for c in imported.cards] == [
        (c.id, c.question, c.answer, c.tags) for c in deck.cards
    ]
    assert [[p.text for p in c.key_points] for c in imported.cards] == [
        [p.text for p in c.key_points] for c in deck.cards
    ]
