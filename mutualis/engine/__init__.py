"""Pure arithmetic of Mutualis: no Django, no I/O, no clock.

Plain values in (Decimals, tuples, frozen dataclasses), plain values out, each
result able to explain itself. See README.md beside this file.
"""

ENGINE_VERSION = "0.1.0"
