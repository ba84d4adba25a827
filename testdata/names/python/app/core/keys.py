CORE_KEY = "core-py"
