"""Field readers: each reads one part of the record from a page's working text and evidence.

Every reader is a pure function of text (and the evidence ``pipelines.clean`` found); a field
that the text does not establish is None or an empty list, never a guess.
"""
