"""newswatch: streaming news monitoring (topics, regions, key events, alerts)."""

__version__ = "0.1.0"
