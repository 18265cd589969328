"""Director pages: the dashboard and annual reports, and the figures as spreadsheets."""
