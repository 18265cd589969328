"""Reads of the newsletter: issue content, the archive, sending progress."""
