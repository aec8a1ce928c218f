class DomainError(Exception):
    """A rule of the domain was broken; `message` is Swedish and shown to the user."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)
