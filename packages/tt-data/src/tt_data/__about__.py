"""Version of the tt-data distribution (read by hatch at build time)."""

__version__ = "0.1.2"
