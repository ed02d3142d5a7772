"""Messages in two languages at once: the page's, for what staff read, and English, for
what is kept (audit rows, notes stored on a record).

A service words a message once, lazily: `message(gettext_lazy("Assigned %(name)s."),
name=...)`. Nothing is translated until the message is written out: `str()` (or a
template) gives the active language, `english()` the language records are kept in. The
audit trail is hashed and read back by code, so what it keeps must not depend on who was
signed in; `translated()` turns such a kept English text into the active language when it
is shown.

Constants that other code compares or searches stay plain English, marked for the
catalogue with `gettext_noop`; `message(CONSTANT)` translates them when written out.
"""

import itertools
import re
import weakref
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import trans_real

from licensing import formatting

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
else:
    StrOrPromise = str

__all__ = [
    "STORED_LANGUAGE",
    "StrOrPromise",
    "day",
    "english",
    "joined",
    "kept",
    "lowered",
    "message",
    "moment",
    "money",
    "shown_errors",
    "translated",
    "validation_errors",
]

# What audit rows and stored notes are written in, whoever is signed in.
STORED_LANGUAGE = "en-gb"


def _fill(template: Any, params: Mapping[str, Any]) -> str:
    if isinstance(template, str):
        # A constant marked with gettext_noop ("" would give the catalogue's header).
        text = translation.gettext(template) if template else ""
    else:
        text = str(template)
    if not params:
        return text
    return text % {name: str(v) if isinstance(v, Promise) else v for name, v in params.items()}


def _join(separator: str, parts: tuple[Any, ...]) -> str:
    return separator.join(text for text in (str(part) for part in parts) if text)


def _lower(text: Any) -> str:
    return str(text).lower()


def _money(amount: Any, currency: str) -> str:
    return formatting.money(amount, currency)


def _day(value: Any) -> str:
    return formatting.day(value)


def _moment(value: Any) -> str:
    return formatting.moment(value)


_lazy_fill = lazy(_fill, str)
_lazy_join = lazy(_join, str)
lowered = lazy(_lower, str)
money = lazy(_money, str)  # formatting.money, in the language the message is written in
day = lazy(_day, str)
moment = lazy(_moment, str)


def message(template: "StrOrPromise", /, **params: Any) -> "StrOrPromise":
    """`template` (a lazy msgid, or a constant marked with gettext_noop) with its named
    placeholders filled in from `params`, translated when written out. A lazy value among
    `params` is written in the same language."""
    return _lazy_fill(template, params)


def joined(separator: str, parts: Iterable["StrOrPromise"]) -> "StrOrPromise":
    """The non-empty `parts` with `separator` between them, translated when written out."""
    return _lazy_join(separator, tuple(parts))


def english(text: "StrOrPromise", /, **params: Any) -> str:
    """`text` as records keep it: in STORED_LANGUAGE (with `params` filled in, if given)."""
    with translation.override(STORED_LANGUAGE):
        return str(message(text, **params) if params else text)


def shown_errors(errors: Mapping[str, Iterable["StrOrPromise"]]) -> dict[str, list[str]]:
    """Form errors (field name → messages) in the active language."""
    return {name: [str(text) for text in texts] for name, texts in errors.items()}


def _validation_text(error: ValidationError) -> str:
    return " ".join(str(text) for text in error)  # one error: its message, params filled in


_lazy_validation_text = lazy(_validation_text, str)


def validation_errors(exc: ValidationError) -> dict[str, list["StrOrPromise"]]:
    """A model's `full_clean` errors (field name → messages), translated when written out
    (`exc.message_dict` would fix them in the active language)."""
    by_field = getattr(exc, "error_dict", None) or {"__all__": exc.error_list}
    return {
        name: [_lazy_validation_text(error) for error in errors]
        for name, errors in by_field.items()
    }


# --- kept English, shown translated ------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sdif])|%%")
# Where a kept text may join two messages: after a sentence or a bracket (which ends the
# first), or at a label's ": " and a list's "; " (which belong to neither).
_BOUNDARY = re.compile(r"(?<=[.!?)])\s+|[:;]\s+")
_MAX_DEPTH = 6
_MAX_JOINS = 24
# A reading's score is the number of the catalogue's own characters it recognised, less a
# little per message it took (of two readings recognising as much, the simpler wins).
_PER_MESSAGE = 0.01
# Inside what was filled into a placeholder (a note, a reason, the vendor's words) only a
# reading with this many characters of the catalogue's words counts as a message: "Customer" or
# "customer %(code)s" there is someone's wording, not the catalogue's, and stays as typed.
_FILLED_MIN_WORDS = 16
# Money and dates as the stored language writes them (`formatting`): written again in the
# active language's way when they fill a placeholder on their own.
_MONEY = re.compile(r"(-?)(€|US\$|£|[A-Z]{3} )(\d{1,3}(?:,\d{3})*\.\d{2})")
_DAY = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}")
_MOMENT = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}")


def translated(text: str) -> str:
    """A text kept in English (an audit row's message, an assignment's failure message)
    in the active language: the catalogue's translation of the message it was made from,
    with what was filled into it (the vendor's words, names, amounts) left as it was.

    Messages joined one after another ("… then stops. Reason: …") are translated one by
    one; anything not made from a catalogue message is returned unchanged.
    """
    if not text or not settings.USE_I18N:
        return text
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language.split("-")[0] == STORED_LANGUAGE.split("-")[0]:
        return text
    return _Catalogue.of(trans_real.translation(language)).translate(text)[0]


kept = lazy(translated, str)  # a kept English text, translated when written out


class _Catalogue:
    """One language's catalogue, read backwards: English text → the message it came from."""

    _known: "weakref.WeakKeyDictionary[Any, _Catalogue]" = weakref.WeakKeyDictionary()

    @classmethod
    def of(cls, trans: Any) -> "_Catalogue":
        found = cls._known.get(trans)
        if found is None:
            found = cls._known[trans] = cls(trans)
        return found

    def __init__(self, trans: Any) -> None:
        self.exact: dict[str, str] = {}
        patterns = []
        for msgid, msgstr in getattr(trans, "_catalog", {}).items():
            # Plural forms and messages with a context are words, not kept sentences.
            if not isinstance(msgid, str) or not msgid or "\x04" in msgid or not msgstr:
                continue
            if "%" not in msgid:
                self.exact[msgid] = msgstr
                continue
            pattern = _pattern(msgid)
            if pattern is not None:
                patterns.append((*pattern, msgstr))
        # The most specific first: the most words around the placeholders.
        patterns.sort(key=lambda p: -p[2])
        self.patterns = patterns
        self.memo: dict[tuple[str, bool], tuple[str, float]] = {}

    def translate(self, text: str, depth: int = 0, filled: bool = False) -> tuple[str, float]:
        """The best translation found, and how many characters of `text` were the
        catalogue's own words in it (0: nothing was recognised; it is `text` itself).
        `filled`: `text` was filled into a placeholder (only long messages count there)."""
        key = (text, filled)
        if key in self.memo:
            return self.memo[key]
        found = self._translate(text, depth, filled)
        if len(self.memo) > 5000:
            self.memo.clear()
        self.memo[key] = found
        return found

    def _translate(self, text: str, depth: int, filled: bool) -> tuple[str, float]:
        if text in self.exact and (not filled or len(text) >= _FILLED_MIN_WORDS):
            return self.exact[text], len(text) - _PER_MESSAGE
        best: tuple[str, float] = (text, 0)
        if depth > _MAX_DEPTH:
            return best
        # Every reading of the text, the one that recognises the most words winning: a
        # message filled in with another one after it ("%(message)s A manager will check
        # it: %(note)s") also fits the first one's pattern alone, its last placeholder
        # swallowing the rest.
        for regex, kinds, weight, (starts, ends), msgstr in self.patterns:
            if not (text.startswith(starts) and text.endswith(ends)):
                continue
            match = regex.fullmatch(text)
            if match is None:
                continue
            values: dict[str, Any] = {}
            score = weight - _PER_MESSAGE
            try:
                for name, value in match.groupdict().items():
                    if kinds[name] == "s":
                        inner, recognised = self.translate(value, depth + 1, filled=True)
                        values[name] = inner if recognised > 0 else _rewritten(value)
                        score += max(recognised, 0)
                    else:
                        values[name] = int(value) if kinds[name] in "di" else float(value)
                candidate = msgstr % values
            except (KeyError, TypeError, ValueError):
                continue
            if filled and score < _FILLED_MIN_WORDS:
                continue  # too few of the catalogue's words to be one of its messages
            if score > best[1]:
                best = (candidate, score)
        # Messages join in a few places; a long text of someone's own words has many,
        # and is not worth reading at every one of them.
        for boundary in itertools.islice(_BOUNDARY.finditer(text), _MAX_JOINS):
            left, right = text[: boundary.start()], text[boundary.end() :]
            # After a sentence, another message may start; after ":" or ";" what follows
            # is more often someone's words ("Reason: customer asked"), so it counts as
            # filled in (only long messages are read there).
            strict = filled or boundary.group(0).lstrip()[:1] in (":", ";")
            head, head_score = self.translate(left, depth + 1, strict)
            tail, tail_score = self.translate(right, depth + 1, strict)
            if head_score + tail_score > best[1] and max(head_score, tail_score) > 0:
                best = (head + boundary.group(0) + tail, head_score + tail_score)
        return best


def _rewritten(value: str) -> str:
    """`value` as it is, or, if it is an amount, a day or a moment written the stored
    language's way, written again the active language's way."""
    money = _MONEY.fullmatch(value)
    if money is not None:
        sign, mark, digits = money.groups()
        symbols = {symbol: code for code, symbol in formatting.CURRENCY_SYMBOLS.items()}
        try:
            amount = Decimal(sign + digits.replace(",", ""))
        except InvalidOperation:
            return value
        return formatting.money(amount, symbols.get(mark, mark.strip()))
    for pattern, written, rewrite in (
        (_MOMENT, "%d %b %Y, %H:%M", formatting.moment),
        (_DAY, "%d %b %Y", lambda when: formatting.day(when.date())),
    ):
        if pattern.fullmatch(value):
            try:
                # The wall-clock time as written (in the writer's zone), shown as it was.
                return rewrite(datetime.strptime(value, written))  # noqa: DTZ007
            except ValueError:
                return value
    return value


def _pattern(
    msgid: str,
) -> tuple[re.Pattern[str], dict[str, str], int, tuple[str, str]] | None:
    """A regular expression matching what `msgid` becomes once filled in (None for a
    msgid with positional placeholders)."""
    parts: list[str] = []
    kinds: dict[str, str] = {}
    position = 0
    for placeholder in _PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[position : placeholder.start()]))
        position = placeholder.end()
        name, kind = placeholder.groups()
        if name is None:
            parts.append("%")
        elif name in kinds:
            parts.append(f"(?P={name})")
        else:
            kinds[name] = kind
            parts.append(f"(?P<{name}>.+?)" if kind == "s" else rf"(?P<{name}>-?[\d.]+)")
    words = _PLACEHOLDER.sub("", msgid)
    # Positional placeholders, or too few words around the placeholders to tell the
    # message apart from any text ("%(class_name)s %(instance)s").
    if "%" in words or not kinds or len("".join(words.split())) < 3:
        return None
    parts.append(re.escape(msgid[position:]))
    # The words before the first placeholder and after the last: a quick first test.
    edges = (msgid.split("%(", 1)[0].replace("%%", "%"), msgid[position:].replace("%%", "%"))
    return re.compile("".join(parts), re.DOTALL), kinds, len(words), edges
