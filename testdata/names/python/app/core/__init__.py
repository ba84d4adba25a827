from .keys import CORE_KEY
