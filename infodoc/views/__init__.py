"""The info-doc pages: the public service and form, the member's own requests."""
