"""Kombu's Redis transport with one fix, so a worker keeps consuming after Redis froze while it acknowledged a task.

Kombu's Redis QoS removes a message from Redis's unacked index first and only then from the worker's own count of
messages in hand. When Redis does not answer (frozen, failing over) that first step raises, Celery logs "Couldn't
ack" and carries on, but the message stays counted in hand for ever: with our prefetch of one the worker never asks
Redis for another message, and stalls silently after the outage. Here the worker forgets the message whatever Redis
said. Redis still lists it as unacknowledged and gives it back after the visibility timeout; every task is
idempotent (a claim by conditional UPDATE), so the second run finds the work done and does nothing.
"""

from kombu.transport import redis, virtual


class QoS(redis.QoS):
    def ack(self, delivery_tag):
        try:
            super().ack(delivery_tag)
        except Exception:
            virtual.QoS.ack(self, delivery_tag)  # forget it here; Redis gives it back after the visibility timeout
            raise

    def reject(self, delivery_tag, requeue=False):
        try:
            super().reject(delivery_tag, requeue=requeue)
        except Exception:
            virtual.QoS.ack(self, delivery_tag)
            raise


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
