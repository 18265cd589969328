"""Reads of the info-doc app: public pages (public.py), statistics (statistics.py), the
resource catalogue (resources.py)."""
