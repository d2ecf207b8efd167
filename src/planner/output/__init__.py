"""The output layer: rendering results for people (text tables, Markdown, charts); it computes nothing."""
