"""pytest hooks for nbval: stderr (progress bars, warnings) varies between machines and is not
compared."""


def pytest_collectstart(collector):
    if collector.path is not None and collector.path.suffix == ".ipynb":
        collector.skip_compare += ("stderr",)
