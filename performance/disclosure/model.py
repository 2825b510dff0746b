"""The parsed disclosure: blocks of a document, gaps found while reading, the parsed result."""

from dataclasses import dataclass, field


class UnreadableDisclosure(Exception):
    """The document cannot be read at all (not the template, no department, no year)."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    where: str  # "第12行" (text) or "第12段" (docx)


@dataclass(frozen=True)
class Row:
    cells: list[str]
    where: str


@dataclass(frozen=True)
class Table:
    number: int  # 1-based, in document order
    rows: list[Row]
    where: str

    def label(self, row: Row | None = None) -> str:
        place = f"表{self.number}（{self.where}）"
        return f"{place} {row.where}" if row is not None else place


Block = Paragraph | Table


@dataclass(frozen=True)
class Gap:
    """Something the template has a place for that could not be read; never guessed."""

    section: str
    where: str
    message: str

    def __str__(self):
        return f"[{self.section}] {self.where}：{self.message}"


@dataclass
class ParsedDisclosure:
    """The disclosure as data (the shape of fixtures/seed_2021.json) and what could not be read."""

    data: dict
    gaps: list[Gap] = field(default_factory=list)
