from enum import Enum

CHECKOUT = "checkout-py"
BANNER = "banner-py"
changing = "first"
changing = "second"
ALIAS = CHECKOUT


class Keys:
    SEARCH = "search-py"


class Flag(str, Enum):
    DARK = "dark-py"


class Color(Enum):
    RED = "red-py"
