"""A trivial workflow in a module of its own, so it runs in the same sandbox as ours."""

from temporalio import workflow


@workflow.defn
class Idle:
    """Does nothing but take updates and signals: what a raw Temporal action costs."""

    def __init__(self) -> None:
        self.count = 0

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.update
    def touch(self, n: int) -> int:
        self.count += n
        return self.count

    @workflow.signal
    def poke(self, n: int) -> None:
        self.count += n
