pytest_plugins = ["tests.support.sandbox"]
