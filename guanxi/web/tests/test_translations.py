"""The Simplified Chinese catalogue is complete, not fuzzy, and its compiled .mo matches it.

The .po is read with a small parser (polib is not a dependency); the .mo is read with the
standard library's ``gettext``, the same reader Django uses.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
MESSAGES = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")
# The analytics library has no Django and no user-facing text; makemessages skips it too.
SKIPPED_DIRS = {"analytics", "tests", "migrations"}


@dataclass
class Entry:
    """One message of a .po file."""

    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def _unquote(token: str) -> str:
    return ast.literal_eval(token)  # a PO string is a C string, which Python reads alike


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (header included, obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry, key = Entry(), None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                _append(entry, key, _unquote(line))
            else:
                key, _, token = line.partition(" ")
                _append(entry, key, _unquote(token), start=True)
        if key is not None:
            entries.append(entry)
    return entries


def _append(entry: Entry, key: str | None, text: str, start: bool = False) -> None:
    if key is None:
        raise ValueError(f"string continuation before any keyword: {text!r}")
    if key.startswith("msgstr"):
        index = int(key[7:-1]) if "[" in key else 0
        entry.msgstr[index] = ("" if start else entry.msgstr.get(index, "")) + text
    elif key == "msgctxt":
        entry.msgctxt = ("" if start else entry.msgctxt or "") + text
    else:
        setattr(entry, key, ("" if start else getattr(entry, key)) + text)


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    """The catalogue's messages, without the header."""
    return [e for e in parse_po(MESSAGES / "django.po") if e.msgid]


@pytest.fixture(scope="module")
def compiled() -> gettext.GNUTranslations:
    """The committed .mo file."""
    with (MESSAGES / "django.mo").open("rb") as handle:
        return gettext.GNUTranslations(handle)


def test_catalogue_is_not_trivially_small(entries):
    assert len(entries) > 250


def test_no_entry_is_fuzzy(entries):
    header = parse_po(MESSAGES / "django.po")[0]
    assert "fuzzy" not in header.flags
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []


def test_every_message_is_translated(entries):
    assert [e.msgid for e in entries if not all(e.msgstr.values()) or not e.msgstr] == []


def test_plural_messages_use_the_single_chinese_form(entries):
    for entry in entries:
        if entry.msgid_plural:
            assert sorted(entry.msgstr) == [0], entry.msgid


def test_translations_keep_their_placeholders(entries):
    for entry in entries:
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr.values():
            assert sorted(PLACEHOLDER.findall(text)) == expected, entry.msgid


def test_translations_are_chinese(entries):
    han = re.compile(r"[\u4e00-\u9fff]")
    untranslatable = {"ATM"}  # the same word in both languages
    for entry in entries:
        if entry.msgid not in untranslatable:
            assert han.search(entry.msgstr[0]), entry.msgid


def test_compiled_catalogue_matches_the_po(entries, compiled):
    for entry in entries:
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural:
            assert compiled.ngettext(key, entry.msgid_plural, 1) == entry.msgstr[0]
            assert compiled.ngettext(key, entry.msgid_plural, 5) == entry.msgstr[0]
        else:
            assert compiled.gettext(key) == entry.msgstr[0], entry.msgid


def test_compiled_catalogue_has_no_extra_messages(entries, compiled):
    # GNUTranslations keeps its messages in ``_catalog``; the header is the empty key.
    keys = {k[0] if isinstance(k, tuple) else k for k in compiled._catalog if k}
    expected = {e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}" for e in entries}
    assert keys == expected


SOURCE_CALL = re.compile(
    r"\b(?:_|gettext|gettext_lazy|ngettext|ngettext_lazy)\(\s*\"((?:[^\"\\]|\\.)*)\"\s*[,)]"
)
TEMPLATE_TAG = re.compile(r"{%\s*(?:translate|trans)\s+\"([^\"]+)\"")


def _source_messages() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*"):
        if SKIPPED_DIRS & set(path.relative_to(PACKAGE).parts[:-1]):
            continue
        if path.suffix == ".py":
            found.update(_unquote(f'"{m}"') for m in SOURCE_CALL.findall(path.read_text()))
        elif path.suffix == ".html":
            found.update(TEMPLATE_TAG.findall(path.read_text()))
    return found


def test_catalogue_covers_the_literal_strings_of_the_sources(entries):
    # A cheap guard without gettext tools: single-literal gettext calls and
    # {% translate "..." %} tags must all be in the catalogue, so a string added without
    # re-running makemessages fails here rather than showing up in English.
    missing = _source_messages() - {e.msgid for e in entries}
    assert sorted(missing) == []
