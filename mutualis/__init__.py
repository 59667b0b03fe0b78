"""Mutualis: pooling services, equipment and digital tools between French local authorities."""

__version__ = "0.1.0"
