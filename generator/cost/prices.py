"""The pinned price table of a region: data shipped in the package (prices/<region>.json).

Every price names the page it was read from and the table carries the date it was read; a price
change is a reviewed edit of that file, never a lookup at run time (estimates stay offline and
reproducible).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "prices"


@dataclass(frozen=True, slots=True)
class Price:
    key: str
    usd: float
    per: int
    unit: str
    source: str

    def of(self, quantity: float) -> float:
        """The cost of `quantity` units."""
        return quantity * self.usd / self.per

    def words(self) -> str:
        per = "" if self.per == 1 else f" per {self.per:,}"
        return f"${self.usd:g}{per} {self.unit}"


@dataclass(frozen=True, slots=True)
class PriceTable:
    region: str
    as_of: str
    note: str
    prices: dict[str, Price]

    def __getitem__(self, key: str) -> Price:
        return self.prices[key]


def regions() -> list[str]:
    return sorted(p.stem for p in FOLDER.glob("*.json"))


@functools.cache
def price_table(region: str) -> PriceTable:
    """The table of `region`; KeyError when gen ships none for it."""
    path = FOLDER / f"{region}.json"
    if not path.is_file():
        raise KeyError(region)
    data = json.loads(path.read_text(encoding="utf-8"))
    prices = {key: Price(key, float(p["usd"]), int(p["per"]), str(p["unit"]), str(p["source"]))
              for key, p in data["prices"].items()}
    return PriceTable(str(data["region"]), str(data["as_of"]), str(data["note"]), prices)
