"""Interview Trainer: rehearse technical interviews out loud."""

__version__ = "0.1.0"
