import os
import app.flags
import app.flags as fl
from app import flags
from app.flags import CHECKOUT, BANNER as B, changing, ALIAS
from app.flags import Keys, Flag, Color
from requests import EXTERNAL
from .. import core
from ..core import CORE_KEY
from ..cycle_a import LOOP
from ..star import *


def run(visitor):
    visitor.get_flag(CHECKOUT, False)
    visitor.get_flag(B, "x")
    visitor.get_flag(changing, "x")
    visitor.get_flag(ALIAS, "x")
    visitor.get_flag(Keys.SEARCH, "x")
    visitor.get_flag(Flag.DARK.value, "x")
    visitor.get_flag(Color.RED.value, "x")
    visitor.get_flag(flags.BANNER, "x")
    visitor.get_flag(app.flags.CHECKOUT, "x")
    visitor.get_flag(fl.CHECKOUT, "x")
    visitor.get_flag(CORE_KEY, "x")
    visitor.get_flag(core.CORE_KEY, "x")
    visitor.get_flag(STAR, "x")
    visitor.get_flag(_HIDDEN, "x")
    visitor.get_flag(LOOP, "x")
    visitor.get_flag(EXTERNAL, "x")
    visitor.get_flag(os.sep, "x")


def shadow(visitor, CHECKOUT):
    return visitor.get_flag(CHECKOUT, "x")


def local(visitor):
    B = "local-py"
    return visitor.get_flag(B, "x")
