"""Staff pages of the day of a session: check-in, sign-in sheet, attendance import."""
