"""The Qt layer: widgets and the workers that bridge them to the Qt-free core.

Nothing here is imported by the core or the CLI, so `trainer --help` never pays for Qt.
"""
