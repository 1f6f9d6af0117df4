"""verisum: summaries whose every figure is checked against the source."""

__version__ = "0.1.0"
