"""Version of the tt-tensor distribution (read by hatch at build time)."""

__version__ = "0.1.8"
