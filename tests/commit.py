"""What a transaction leaves to run after its commit, the page cache's own set apart."""

from portal.core import pagecache


def after_commit_tasks(callbacks: list) -> list:
    """The on-commit callbacks besides the page cache's (its drop, and the refresh of the
    pages it enqueues), which every write of a public model adds (portal.core.pagecache):
    the tasks and mails a test counts."""
    return [callback for callback in callbacks if callback.__module__ != pagecache.__name__]
