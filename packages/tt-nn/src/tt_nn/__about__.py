"""Version of the tt-nn distribution (read by hatch at build time)."""

__version__ = "0.1.6"
