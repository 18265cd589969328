"""Reads of the events app: the agenda (agenda.py), statistics (statistics.py)."""
