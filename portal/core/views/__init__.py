"""The site's own pages (home, legal pages, health check) and the checked file downloads."""
