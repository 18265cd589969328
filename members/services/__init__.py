"""Writes of the members app: memberships, invoices, credit notes, payments, reminders."""
