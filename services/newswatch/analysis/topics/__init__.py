"""IPTC top-level topic classification (spec/events.md, Topics).

`TopicClassifier.load()` once at start-up, then `classify(article)` is pure.
"""

from newswatch.analysis.topics.classifier import TopicClassifier, Tuning

__all__ = ["TopicClassifier", "Tuning"]
