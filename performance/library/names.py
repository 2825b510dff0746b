"""Indicator names as the library matches them: the same indicator written with other spacing, full-width
characters, punctuation or an alias (CategoryAlias does the same for categories). Pure functions, no ORM."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

# What a name's key drops: white space (any width), quotes, brackets and list punctuation that real tables
# sprinkle into names (“服务对象 满意度”, （参与）人次, 满意度；).
DROPPED = re.compile(r"[\s\"'“”‘’「」『』()（）\[\]【】<>《》、,，.。;；:：!！?？·•]+")


def name_key(name: str | None) -> str:
    """The key two names share when they differ only in spacing, width, case or punctuation."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return DROPPED.sub("", text)


def split_aliases(text: str | None) -> list[str]:
    """Aliases as entered: one a line, or separated by 、 ， , ；."""
    return [part.strip() for part in re.split(r"[\n\r、,，;；]+", text or "") if part.strip()]


class AliasIndex:
    """Name keys to the key of the library name they stand for: an alias finds its entry's name."""

    def __init__(self, names: Mapping[str, Iterable[str]] | None = None):
        self._canonical: dict[str, str] = {}
        for name, aliases in (names or {}).items():
            canonical = name_key(name)
            self._canonical.setdefault(canonical, canonical)
            for alias in aliases:
                self._canonical.setdefault(name_key(alias), canonical)

    def key(self, name: str | None) -> str:
        """The canonical key of ``name``: its entry's name key when it is an entry's name or alias."""
        key = name_key(name)
        return self._canonical.get(key, key)

    def keys_for(self, canonical: str) -> set[str]:
        """Every raw key that stands for ``canonical`` (the entry's name and its aliases)."""
        return {raw for raw, target in self._canonical.items() if target == canonical} | {canonical}
