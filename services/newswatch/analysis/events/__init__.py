"""Event detection: rule files compiled into one phrase automaton, evaluated per sentence.

`rules` loads and validates the YAML tables, `matcher` finds phrase hits,
`context` decides modality (threat, plan, denial, question) and claims,
`attributes` fills per-type attributes, `detector` ties them together.
"""
