"""Errors raised by the engine, with French messages and structured fields."""

from __future__ import annotations


class EngineError(ValueError):
    """Base of every engine error; `str()` is a French message for the user."""

    def __init__(self, message: str, **fields: object) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class NegativeValue(EngineError):
    pass


class ZeroWeights(EngineError):
    pass


class EmptyPerimeter(EngineError):
    pass


class ZeroUnits(EngineError):
    """Charges to share but no unit of operation to share them on."""


class WeightsNotNormalised(EngineError):
    """The weights of a composite key do not sum to 1."""


class InfeasibleBounds(EngineError):
    """Floors and caps leave no way to share the total."""


class UnknownMember(EngineError):
    """A code that names no member of the perimeter."""


class MissingAttribute(EngineError):
    """A member lacks the attribute a key is based on."""


class InvalidParameter(EngineError):
    """A parameter outside its domain (useful life ≤ 0, rate ≤ −100 %, …)."""
