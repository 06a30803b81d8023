"""Reading a topic's and a consumer group's offsets without joining the group."""

from __future__ import annotations

from kafka import KafkaConsumer, TopicPartition


def committed_total(bootstrap: str, group: str, topic: str) -> int:
    """Sum of the group's committed offsets over the topic's partitions."""
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in c.partitions_for_topic(topic) or ()]
        return sum(c.committed(tp) or 0 for tp in parts)
    finally:
        c.close(autocommit=False)


def end_offsets_total(bootstrap: str, topic: str) -> int:
    """How many records were ever written to the topic (the sum of its partitions' end offsets)."""
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in c.partitions_for_topic(topic) or ()]
        return sum(c.end_offsets(parts).values())
    finally:
        c.close()
