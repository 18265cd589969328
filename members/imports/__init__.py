"""Spreadsheet imports of the members app (portal.core.sheets), in the order a centre
moves in: organisations, people, dues rules, memberships of a year.

`ACTOR_TYPE` is shared by the apps above that name people (the subscribers', the
attendance and the info-doc imports).
"""

from members.imports import directory, dues, memberships
from members.imports.readers import ACTOR_TYPE

__all__ = ["ACTOR_TYPE", "directory", "dues", "memberships"]
