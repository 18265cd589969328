"""The info-doc back office: the queue of requests, the resources and their loans."""

from infodoc.admin import catalogue as admin_resources
from infodoc.admin import requests

__all__ = ["admin_resources", "requests"]
