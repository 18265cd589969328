"""The newsletter « Résonances »: issues and their blocks, subscribers, deliveries."""

from newsletter.models.deliveries import Delivery, DeliveryStatus
from newsletter.models.issues import Block, BlockPage, Issue, IssueStatus, NewsScope
from newsletter.models.subscribers import (
    ConsentSource,
    MailFormat,
    Subscriber,
    SubscriberStatus,
)

__all__ = [
    "Block",
    "BlockPage",
    "ConsentSource",
    "Delivery",
    "DeliveryStatus",
    "Issue",
    "IssueStatus",
    "MailFormat",
    "NewsScope",
    "Subscriber",
    "SubscriberStatus",
]
