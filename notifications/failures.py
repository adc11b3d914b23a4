"""What a channel raises when a message can never be delivered; anything else is retried."""


class PermanentDeliveryFailure(Exception):
    """The provider refused for good: a wrong number, a landline, an address it rejects."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        # The provider's error code, which says whether the address itself is the trouble
        # (models/provider_errors.py).
        self.code = code
