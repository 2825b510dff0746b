"""Reading the project list as its user reads it: the rendered table's rows, by column heading."""

from html.parser import HTMLParser


class _Table(HTMLParser):
    """The cells' text of the first table whose class has ``jx-project-table``: headings, then rows."""

    def __init__(self):
        super().__init__()
        self.inside = self.done = False
        self.headings: list[str] = []
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "jx-project-table" in (attrs.get("class") or "") and not self.done:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td"):
            self.cell = []
        elif self.inside and tag == "a" and self.cell is not None and attrs.get("href", "").startswith("/projects/"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "table" and self.inside:
            self.inside, self.done = False, True
        elif self.inside and tag in ("th", "td") and self.cell is not None:
            text = " ".join("".join(self.cell).split())
            (self.headings if tag == "th" else self.rows[-1]).append(text)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def listed_rows(response) -> list[dict[str, str]]:
    """The list's rows as {heading: text}, in order (an empty list shows one row of its message: none here)."""
    table = _Table()
    table.feed(response.content.decode())
    headings = table.headings
    return [dict(zip(headings, cells, strict=False)) for cells in table.rows if len(cells) == len(headings)]


def names_listed(response) -> list[str]:
    return [row["项目名称"] for row in listed_rows(response)]
