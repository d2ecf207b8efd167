"""The rules layer: everything read from ``models/``, and nothing about a person.

Owns the strict, dated, cited rule-file schemas (:mod:`.schema`), reading and checking the
files (:mod:`.loader`, :mod:`.parse_cache`), the :class:`~planner.rules.book.RuleBook`
that holds one models directory's rules, the program catalogue (:mod:`.catalogue`), the
requirement vocabulary (:mod:`.requirements`, :mod:`.vocabulary`), process and fee rules
(:mod:`.process`, :mod:`.fees`), the NOC table (:mod:`.noc`) and how recently each file
was verified (:mod:`.health`).  Imports nothing above it.
"""
