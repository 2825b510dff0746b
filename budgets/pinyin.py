"""The pinyin sort key of a name, so lists sort Chinese names as a reader expects (安 < 北 < 长 < 重), in SQL.

The key is each character's pinyin with its tone number (pypinyin's reading in context: 长城 is chang2 cheng2,
长 alone zhang3), syllables joined by spaces, lower case; letters and digits stay as they are. Stored on the
row (``Project.name_pinyin``) and indexed: sorting by it needs no collation, on SQLite as on PostgreSQL.
"""

KEY_LENGTH = 255  # ~30 characters of pinyin; names alike that far sort on the name itself next


def pinyin_key(text: str) -> str:
    """The sort key of ``text``: ``"an1 hui1"`` for 安徽, ``"2021 nian2"`` for 2021年; at most KEY_LENGTH long."""
    # Imported here: pypinyin loads its phrase dictionary on import (~0.3 s), which every process would pay at
    # start-up (each manage.py command, each server worker) though only writes of names need it.
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text.strip(), style=Style.TONE3, neutral_tone_with_five=True, errors="default")
    return " ".join(part.strip() for part in syllables if part.strip()).lower()[:KEY_LENGTH]
