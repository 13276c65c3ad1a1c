"""Bank account extension type with checked deposits and withdrawals."""


class Account:
    owner: str | None = None
    balance: float = 0.0
    transactions: int = 0
    overdraft_limit: float = 0.0

    def __init__(self, owner: str, balance: float = 0.0, overdraft_limit: float = 0.0):
        self.owner = owner
        self.balance = balance
        self.overdraft_limit = overdraft_limit
        self.transactions = 0

    def deposit(self, amount: float) -> int:
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount
        self.transactions += 1
        return 0

    def withdraw(self, amount: float) -> int:
        if amount <= 0:
            raise ValueError("withdrawal must be positive")
        if self.balance - amount < -self.overdraft_limit:
            raise ValueError("insufficient funds")
        self.balance -= amount
        self.transactions += 1
        return 0

    def _is_overdrawn(self) -> bool:
        return self.balance < 0

    def status(self):
        if self._is_overdrawn():
            return "overdrawn"
        return "ok"
