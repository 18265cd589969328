"""Reads of the publications app: the public catalogue, the annual report's figures."""
