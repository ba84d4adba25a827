# Flagship Python SDK v2: get_modification(key, default, activate).
from flagship.app import Flagship

BTN_COLOR = "btnColor"
DISCOUNT, BANNER = "discount-rate", "banner.text"


def render(visitor):
    color = visitor.get_modification("v2-color", "red", activate=True)
    rate = visitor.get_modification(DISCOUNT, 0.15)
    enabled = visitor.get_modification("v2-enabled", False, False)
    config = visitor.get_modification("v2-config", {"size": 2}, activate=False)
    items = visitor.get_modification("v2-items", ["a", "b"])
    nothing = visitor.get_modification("v2-none", None)
    info = visitor.get_modification_info(BANNER)
    visitor.activate_modification(BTN_COLOR)
    return color, rate, enabled, config, items, nothing, info
