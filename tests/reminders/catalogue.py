"""A few Italian messages compiled for one test, so that "written in the recipient's
language" is tested without depending on the project's catalogue being merged yet."""

from pathlib import Path

import polib


def use_italian(settings, tmp_path: Path, messages: dict) -> None:
    """Make `messages` the portal's Italian catalogue for this test.

    Keys: a msgid; a (msgid, msgid_plural) pair with a (one, many) pair as the Italian;
    or a ("context", msgid) pair marked by a leading "@" on the context ("@audit action").
    """
    po = polib.POFile()
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    for key, italian in messages.items():
        if isinstance(key, str):
            po.append(polib.POEntry(msgid=key, msgstr=italian))
        elif key[0].startswith("@"):
            po.append(polib.POEntry(msgctxt=key[0][1:], msgid=key[1], msgstr=italian))
        else:
            po.append(
                polib.POEntry(
                    msgid=key[0], msgid_plural=key[1], msgstr_plural=dict(enumerate(italian))
                )
            )
    folder = tmp_path / "locale" / "it" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save_as_mofile(str(folder / "django.mo"))
    # Changing the setting resets Django's translation caches (and again when restored).
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
