pytest_plugins = ["tests.support.sandbox", "tests.support.bot"]
