"""Reads of the members app, by subject; the annual report's figures in figures.py, the member
space's scoped reads in space.py."""
