"""The command line: click commands over the library (:mod:`.main` is the ``planner`` group)."""
