"""Importing agreements from a spreadsheet (XLSX or CSV), from the upload to the import.

From pure to transactional: ``columns`` (what the file holds, its limits), ``template`` (the
XLSX to download), ``reading`` (the file into a header and raw rows, or a refusal of the whole
file), ``parsing`` (each row checked as the forms check their fields), ``applying`` (the rows
through the agreements' services, in savepoints), ``services`` (the ``ImportJob``'s changes;
they flush) and ``jobs`` (the job runner: claims a job, runs its step, commits). ``views``,
``forms`` and ``cli`` are the ways in; ``models`` holds ``ImportJob``.
"""
