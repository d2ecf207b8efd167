"""The eligibility layer: one pure function per requirement kind (:mod:`.predicates`) and the
verdicts that combine them per program (:mod:`.verdicts`)."""
