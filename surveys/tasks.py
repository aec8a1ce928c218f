from celery import shared_task


@shared_task(name="surveys.tasks.heartbeat")
def heartbeat() -> str:
    """A no-op that proves a worker consumes what beat or the web process enqueues."""
    return "ok"
