"""Bank account extension type with checked deposits and withdrawals."""


cdef class Account:
    cdef readonly str owner
    cdef readonly double balance
    cdef public int transactions
    cdef double overdraft_limit

    def __init__(self, str owner, double balance=0.0, double overdraft_limit=0.0):
        self.owner = owner
        self.balance = balance
        self.overdraft_limit = overdraft_limit
        self.transactions = 0

    cpdef int deposit(self, double amount) except -1:
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount
        self.transactions += 1
        return 0

    cpdef int withdraw(self, double amount) except -1:
        if amount <= 0:
            raise ValueError("withdrawal must be positive")
        if self.balance - amount < -self.overdraft_limit:
            raise ValueError("insufficient funds")
        self.balance -= amount
        self.transactions += 1
        return 0

    cdef bint _is_overdrawn(self):
        return self.balance < 0

    def status(self):
        if self._is_overdrawn():
            return "overdrawn"
        return "ok"
