"""Pages of the members app: the public members list and the member space."""
