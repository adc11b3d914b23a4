"""What a channel raises when a message can never be delivered; anything else is retried."""


class PermanentDeliveryFailure(Exception):
    """The provider refused for good: a wrong number, a landline, an address it rejects."""
