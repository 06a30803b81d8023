"""Evaluation of the analysis engine on labelled JSONL (the dev-set format).

`records` parses labelled lines, `metrics` holds the pure scoring functions,
`runner` ties records to an analyser, `report` renders text or Markdown.
"""
