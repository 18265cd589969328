"""Writes of the info-doc app."""
