STAR = "star-py"
_HIDDEN = "hidden-py"
