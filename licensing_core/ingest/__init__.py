"""File formats in: usage files (CSV, JSON Lines) read in chunks and checked row by row.

`readers` turns a file into chunks of text rows with their line numbers; `validation`
checks and normalises them. Storing is the import service's work (services/imports/).
"""
