"""Accounts, password hashing, the signed-in principal and what it may do."""
