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
