# Flagship Python SDK v3: get_flag(key, default) then value().
from flagship import Flagship

FLAG_KEY = "v3-const"


class Checkout:
    TITLE_KEY = "checkout.title"

    def __init__(self, visitor):
        self.visitor = visitor

    async def render(self):
        flag = self.visitor.get_flag("v3-btn", "blue")
        value = flag.value()
        size = self.visitor.get_flag(FLAG_KEY, 3).value(user_exposed=False)
        title = self.visitor.get_flag(self.TITLE_KEY, "Pay").value()
        if self.visitor.get_flag("v3-exists", True).exists():
            print(self.visitor.get_flag("v3-argument", {"a": 1}).value())
        return self.visitor.get_flag("v3-returned", -1.5).value()


def percent(visitor):
    return visitor.get_flag("v3-percent", 10 * 2).value()
