"""Explanations carried by every engine result.

An explanation is a list of steps; each step has a French label, the formula with
its figures, the result and, where one applies, the legal reference. The UI and the
documents render the structured form; `text()` gives the plain French reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict


@dataclass(frozen=True)
class Step:
    label: str
    formula: str = ""
    result: str = ""
    reference: str = ""

    def text(self) -> str:
        parts = [self.label]
        if self.formula:
            parts.append(f" : {self.formula}")
        if self.result:
            parts.append(f" = {self.result}")
        if self.reference:
            parts.append(f" — {self.reference}")
        return "".join(parts)


class StepDict(TypedDict):
    label: str
    formula: str
    result: str
    reference: str


class ExplanationDict(TypedDict):
    """`Explanation.as_dict()`: the JSON form stored with statements and snapshots."""

    title: str
    steps: list[StepDict]


@dataclass(frozen=True)
class Explanation:
    title: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def text(self) -> str:
        return "\n".join([self.title, *(f"- {step.text()}" for step in self.steps)])

    def as_dict(self) -> ExplanationDict:
        return {
            "title": self.title,
            "steps": [
                {
                    "label": s.label,
                    "formula": s.formula,
                    "result": s.result,
                    "reference": s.reference,
                }
                for s in self.steps
            ],
        }


def singular(unit_label: str) -> str:
    """`actes` → `acte`, for « €/acte »: unit labels are given in the plural."""
    return unit_label[:-1] if unit_label.endswith("s") else unit_label
