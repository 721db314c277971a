"""tagtui: organise contacts with tags and statuses, in the terminal."""

__version__ = "0.1.0"
