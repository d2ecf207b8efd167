"""The scoring layer: the Comprehensive Ranking System (:mod:`.crs`) and the FSW 67-point grid (:mod:`.fsw`)."""
