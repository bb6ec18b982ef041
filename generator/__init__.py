"""Open WRES: turn published WRES returns into a trustworthy static website."""

__version__ = "0.1.0"
